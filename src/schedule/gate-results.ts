// A gate's check results for the scheduler (Resume's are every check: the scheduled status report uses them), per
// environment. Runs of one environment watch the same Caracal, so one run of a gate's checks there serves every
// watched run (and scheduled report) of that environment whose tick falls within `reuseMs`; another environment's
// results are never served in their place. A run is started only when its /ready calls (as many as the last run
// of that gate made) fit what is left of this minute's budget.
import type { CheckResult, Gate } from '../checks/types.ts';
import type { ReadyMeter } from './ready-budget.ts';

export type GateResults = { ok: true; results: CheckResult[] } | { ok: false; retryInMs: number };

export interface GateResultsDeps {
  /** `environment` undefined: the default one. */
  run(gate: Gate, environment: string | undefined): Promise<CheckResult[]>;
  now: () => Date;
  meter: ReadyMeter;
  /** /ready calls per minute the scheduler may spend (Caracal allows 120 per client). */
  readyPerMinute: number;
  reuseMs: number;
}

export function createGateResults(deps: GateResultsDeps) {
  const cache = new Map<string, { at: number; results: Promise<CheckResult[]> }>();
  const cost = new Map<string, number>();
  let runs = 0;

  return {
    async get(gate: Gate, environment?: string): Promise<GateResults> {
      const key = `${environment ?? ''}/${gate}`;
      const now = deps.now().getTime();
      const hit = cache.get(key);
      if (hit && now - hit.at <= deps.reuseMs) return { ok: true, results: await hit.results };
      const expected = cost.get(key) ?? 0;
      if (expected > 0 && deps.meter.used() + expected > deps.readyPerMinute) return { ok: false, retryInMs: deps.meter.untilNextMinute() };
      const before = deps.meter.used();
      runs++;
      const results = deps.run(gate, environment);
      cache.set(key, { at: now, results });
      try {
        const out = await results;
        cost.set(key, Math.max(0, deps.meter.used() - before));
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
