// A gate's check results for the scheduler (Resume's are every check: the scheduled status report uses them), per
// environment. Runs of one environment watch the same Caracal, so one run of a gate's checks there serves every
// watched run (and scheduled report) of that environment whose tick falls within `reuseMs`; another environment's
// results are never served in their place. A run is started only when its /ready calls (as many per endpoint as the
// last run of that gate made) fit what is left of the scheduler's share this minute. The count is the bot's one
// call budget, which people's status reports spend too (issue 18).
import { readyCounts, type CallBudget } from '../checks/targets/call-budget.ts';
import type { CheckResult } from '../domain/check-result.ts';
import type { Gate } from '../domain/gates.ts';

export type GateResults = { ok: true; results: CheckResult[] } | { ok: false; retryInMs: number };

export interface GateResultsDeps {
  /** `environment` undefined: the default one. */
  run(gate: Gate, environment: string | undefined): Promise<CheckResult[]>;
  now: () => Date;
  /** The bot's call budget, the one its check context sends through. */
  budget: Pick<CallBudget, 'counts' | 'mayCallReady'>;
  /** Calls per minute to one /ready endpoint beyond which the scheduler waits (Caracal allows 120 per client). */
  readyPerMinute: number;
  reuseMs: number;
}

export function createGateResults(deps: GateResultsDeps) {
  const cache = new Map<string, { at: number; results: Promise<CheckResult[]> }>();
  /** What the last run of each environment's gate sent, per /ready endpoint. */
  const cost = new Map<string, Map<string, number>>();
  let runs = 0;

  return {
    async get(gate: Gate, environment?: string): Promise<GateResults> {
      const key = `${environment ?? ''}/${gate}`;
      const now = deps.now().getTime();
      const hit = cache.get(key);
      if (hit && now - hit.at <= deps.reuseMs) return { ok: true, results: await hit.results };
      const expected = cost.get(key);
      const room = expected ? deps.budget.mayCallReady(expected, deps.readyPerMinute) : { ok: true as const };
      if (!room.ok) return room;
      const before = readyCounts(deps.budget.counts());
      runs++;
      const results = deps.run(gate, environment);
      cache.set(key, { at: now, results });
      try {
        const out = await results;
        // Calls anyone else made meanwhile count too: the estimate errs towards waiting, never towards a 429.
        const after = readyCounts(deps.budget.counts());
        cost.set(key, new Map([...after].map(([endpoint, n]) => [endpoint, Math.max(0, n - (before.get(endpoint) ?? 0))])));
        return { ok: true, results: out };
      } catch (err) {
        cache.delete(key);
        throw err;
      }
    },
    /** Check runs started so far (the benchmark and tests count them). */
    runs: () => runs,
  };
}

export type GateResultsSource = ReturnType<typeof createGateResults>;
