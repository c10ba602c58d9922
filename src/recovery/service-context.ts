// What the recovery service's operations share: their dependencies, how they record events (scrubbed) and
// tell the dispatcher that deliveries are queued, and the result they answer a click with.
import type { ResidueBaseline } from '../checks/residue/baseline.ts';
import { withData, type EventDraft } from '../domain/events.ts';
import type { RunState } from '../domain/run.ts';
import { scrubDeep, type Scrub } from '../redact.ts';
import type { Db, Queryable } from '../store/db.ts';
import type { GatePolicy } from './gate-decision.ts';
import { recordEvents } from './record-events.ts';

export interface RecoveryDeps {
  db: Db;
  policy: GatePolicy;
  isApprover(userId: string): Promise<boolean>;
  now(): Date;
  newId(): string;
  /** Who may start runs, and where drills may run (issue 18: anyone must not be able to block an incident channel). */
  startPolicy: StartPolicy;
  /** Called after each commit that queued deliveries, so the dispatcher can run now rather than at its next tick. */
  onDeliveriesQueued?(): void;
  /** The one scrubber: every stored event payload passes it (a pasted token, an echoed header). */
  scrub?: Scrub;
  /** Caracal alerts of severity critical firing in a channel: Resume needs each approver to acknowledge them. */
  criticalAlerts?(channelId: string): Promise<string[]>;
  /** The environment a run started in this channel recovers when none is named (the channel's default). */
  environmentFor?(channelId: string): string;
  /**
   * Reads the residue baseline (issue 12) when a run starts: what Caracal's only-growing stores already hold, in the
   * run's environment. Bounded in time by the caller; what it cannot read it says so in the baseline.
   */
  captureBaseline?(environment: string): Promise<ResidueBaseline>;
}

export interface StartPolicy {
  who: 'approvers' | 'anyone';
  /** Channels where drills may run; none means no drills anywhere. */
  drillChannels: readonly string[];
}

export type ActResult = { ok: true; run: RunState } | { ok: false; kind: 'conflict' | 'denied' | 'not_found'; reason: string };

/** How often an operation decides again after a concurrent change before it gives up. */
export const MAX_ATTEMPTS = 8;
export const changingTooFast = (): ActResult => ({
  ok: false,
  kind: 'conflict',
  reason: 'The run is changing too fast right now; try again in a moment.',
});

export interface ServiceContext {
  deps: RecoveryDeps;
  /** recordEvents with every payload scrubbed first. */
  record: (tx: Queryable, runId: string, at: Date, events: readonly EventDraft[], dashboard: boolean) => Promise<void>;
  /** Tell the dispatcher, after a commit, that deliveries wait. */
  queued: () => void;
}

export function serviceContext(deps: RecoveryDeps): ServiceContext {
  return {
    deps,
    record: (tx, runId, at, events, dashboard) => {
      const scrub = deps.scrub;
      return recordEvents(tx, runId, at, scrub ? events.map((e) => withData(e, (d) => scrubDeep(d, scrub))) : events, dashboard);
    },
    queued: () => deps.onDeliveriesQueued?.(),
  };
}
