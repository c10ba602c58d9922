// A gate's check results for the scheduler (Resume's are every check: the scheduled status report uses them). Every run watches the same Caracal, so one run of a gate's checks
// serves every watched run whose tick falls within `reuseMs`, and a run is started only when its /ready calls
// (as many as the last run of that gate made) fit what is left of this minute's budget.
import type { CheckResult, Gate } from '../checks/types.ts';
import type { ReadyMeter } from './ready-budget.ts';

export type GateResults = { ok: true; results: CheckResult[] } | { ok: false; retryInMs: number };

export interface GateResultsDeps {
  run(gate: Gate): Promise<CheckResult[]>;
  now: () => Date;
  meter: ReadyMeter;
  /** /ready calls per minute the scheduler may spend (Caracal allows 120 per client). */
  readyPerMinute: number;
  reuseMs: number;
}

export function createGateResults(deps: GateResultsDeps) {
  const cache = new Map<Gate, { at: number; results: Promise<CheckResult[]> }>();
  const cost = new Map<Gate, number>();
  let runs = 0;

  return {
    async get(gate: Gate): Promise<GateResults> {
      const now = deps.now().getTime();
      const hit = cache.get(gate);
      if (hit && now - hit.at <= deps.reuseMs) return { ok: true, results: await hit.results };
      const expected = cost.get(gate) ?? 0;
      if (expected > 0 && deps.meter.used() + expected > deps.readyPerMinute) return { ok: false, retryInMs: deps.meter.untilNextMinute() };
      const before = deps.meter.used();
      runs++;
      const results = deps.run(gate);
      cache.set(gate, { at: now, results });
      try {
        const out = await results;
        cost.set(gate, Math.max(0, deps.meter.used() - before));
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
