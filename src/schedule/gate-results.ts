// A gate's check results for the scheduler (Resume's are every check: the scheduled status report uses them). Every run watches the same Caracal, so one run of a gate's checks
// serves every watched run whose tick falls within `reuseMs`, and a run is started only when its /ready calls
// (as many per endpoint as the last run of that gate made) fit what is left of the scheduler's share this minute.
// The count is the bot's one call budget, which people's status reports spend too (issue 18).
import { readyCounts, type CallBudget } from '../checks/targets/call-budget.ts';
import type { CheckResult, Gate } from '../checks/types.ts';

export type GateResults = { ok: true; results: CheckResult[] } | { ok: false; retryInMs: number };

export interface GateResultsDeps {
  run(gate: Gate): Promise<CheckResult[]>;
  now: () => Date;
  /** The bot's call budget, the one its check context sends through. */
  budget: Pick<CallBudget, 'counts' | 'mayCallReady'>;
  /** Calls per minute to one /ready endpoint beyond which the scheduler waits (Caracal allows 120 per client). */
  readyPerMinute: number;
  reuseMs: number;
}

export function createGateResults(deps: GateResultsDeps) {
  const cache = new Map<Gate, { at: number; results: Promise<CheckResult[]> }>();
  /** What the last run of each gate sent, per /ready endpoint. */
  const cost = new Map<Gate, Map<string, number>>();
  let runs = 0;

  return {
    async get(gate: Gate): Promise<GateResults> {
      const now = deps.now().getTime();
      const hit = cache.get(gate);
      if (hit && now - hit.at <= deps.reuseMs) return { ok: true, results: await hit.results };
      const expected = cost.get(gate);
      const room = expected ? deps.budget.mayCallReady(expected, deps.readyPerMinute) : { ok: true as const };
      if (!room.ok) return room;
      const before = readyCounts(deps.budget.counts());
      runs++;
      const results = deps.run(gate);
      cache.set(gate, { at: now, results });
      try {
        const out = await results;
        // Calls anyone else made meanwhile count too: the estimate errs towards waiting, never towards a 429.
        const after = readyCounts(deps.budget.counts());
        cost.set(gate, new Map([...after].map(([key, n]) => [key, Math.max(0, n - (before.get(key) ?? 0))])));
        return { ok: true, results: out };
      } catch (err) {
        cache.delete(gate);
        throw err;
      }
    },
    /** Check runs started so far (the benchmark and tests count them). */
    runs: () => runs,
  };
}

export type GateResultsSource = ReturnType<typeof createGateResults>;
