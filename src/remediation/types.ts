// Button-approved remediation actions (product.md §5): each calls one Caracal endpoint with the narrowest token
// it needs, and reports the endpoint's answer so the incident log can record it. The bot never writes Caracal's
// tables itself; where Caracal has no endpoint, the action is break-glass guidance recorded as "done by".
import type { Gate } from '../domain/gates.ts';
import type { CheckContext } from '../checks/types.ts';
import type { ChainVerificationSummary } from '../audit/deep-check.ts';

export interface ActionOutcome {
  ok: boolean;
  /** One line per call: which endpoint, what it answered (secrets never included). */
  lines: string[];
  summary: string;
  /** Evidence to write into the incident log before a break-glass step removes it (split over several entries if long). */
  logExport?: { what: string; lines: string[] };
  /** The deep chain verification's result, kept by the run as evidence for Resume. */
  verification?: ChainVerificationSummary;
}

export interface RemediationAction {
  id: string;
  title: string;
  /** The runbook gate it belongs to (its log entries' home); where it is offered is placement.ts's decision. */
  gate: Gate;
  /** No endpoint exists: `run` only works out the manual step, and a person records doing it ("Done by me"). */
  breakGlass?: boolean;
  /** Reads only (no Caracal state changes): anyone in the channel may run it, as with checks. */
  readOnly?: boolean;
  /** One at a time across every replica, cancellable (issue 18: heavy reads of Caracal's own database). */
  exclusive?: boolean;
  /** Shown in the confirm dialog: exactly what will be called. */
  confirmText: string;
  /** `progress`: where a long action says how far it is (an exclusive one's lease shows it to a second click). */
  run(ctx: CheckContext, signal: AbortSignal, progress?: (line: string) => void): Promise<ActionOutcome>;
}
