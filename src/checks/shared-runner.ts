// Single-flight for checks (issue 18): a check already running, or finished within the result cache window, is
// joined instead of run again, whoever asks (a status report, a gate's Run checks, a troubleshooting button).
// 130 `/caracal status` in a burst therefore cost Caracal one run of each check, not 130.
//
// Per replica, on purpose: results stream into each report as they arrive, which a shared store could not do
// without a second channel, and Caracal counts its limits per client address, which is per replica (pod) in the
// stock deployment. N replicas behind a load balancer cost Caracal at most N runs per window.
import { runChecks } from './executor.ts';
import type { CheckContext, CheckDefinition } from './types.ts';
import type { CheckResult } from '../domain/check-result.ts';

export interface SharedResult {
  result: CheckResult;
  /** When the run that produced this result started (the original's, when joined). */
  startedAt: Date;
  /** Joined a run started by someone else (in flight or cached). */
  shared: boolean;
}

export interface CheckRunner {
  /**
   * Runs or joins each check against `context` (default: the runner's own). Results are shared only among calls
   * with the same context object: one per environment, and a recovery run's residue-judged context is its own.
   */
  run(checks: readonly CheckDefinition[], onResult?: (r: SharedResult) => void, context?: CheckContext): Promise<SharedResult[]>;
}

export interface SharedRunnerDeps {
  context: CheckContext;
  timeoutMs: (checkId: string) => number;
  /** How long a finished result is handed out again; 0 shares only runs in flight. */
  cacheMs: number;
  /** Called once per check actually run (not per join), with the context it ran against. */
  onResult?: (result: CheckResult, context: CheckContext) => void;
}

interface Entry {
  startedAt: Date;
  promise: Promise<CheckResult>;
  finishedAt?: number;
}

export function sharedCheckRunner(deps: SharedRunnerDeps): CheckRunner {
  const byContext = new WeakMap<CheckContext, Map<string, Entry>>();
  const now = () => deps.context.now();

  function entryFor(check: CheckDefinition, context: CheckContext): { entry: Entry; shared: boolean } {
    let entries = byContext.get(context);
    if (!entries) byContext.set(context, (entries = new Map<string, Entry>()));
    const existing = entries.get(check.id);
    if (existing && (existing.finishedAt === undefined || now().getTime() - existing.finishedAt < deps.cacheMs)) {
      return { entry: existing, shared: true };
    }
    const entry: Entry = {
      startedAt: now(),
      // runChecks never rejects: a target down is a `fail` result, a checker bug an `error` result.
      promise: runChecks([check], context, {
        timeoutMs: deps.timeoutMs,
        ...(deps.onResult ? { onResult: (r: CheckResult) => deps.onResult?.(r, context) } : {}),
      }).then(([r]) => {
        entry.finishedAt = now().getTime();
        return r;
      }),
    };
    entries.set(check.id, entry);
    return { entry, shared: false };
  }

  return {
    async run(checks, onResult, context = deps.context) {
      return Promise.all(
        checks.map(async (check) => {
          const { entry, shared } = entryFor(check, context);
          const out: SharedResult = { result: await entry.promise, startedAt: entry.startedAt, shared };
          try {
            onResult?.(out);
          } catch {
            // A listener's failure must not lose the result for the others.
          }
          return out;
        }),
      );
    },
  };
}

/** The earliest start among joined results: "shared with the report of 03:12:04". */
export function sharedSince(results: readonly SharedResult[]): Date | undefined {
  const joined = results.filter((r) => r.shared).map((r) => r.startedAt.getTime());
  return joined.length > 0 ? new Date(Math.min(...joined)) : undefined;
}
