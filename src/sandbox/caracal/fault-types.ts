// The shape of a sandbox fault: what it breaks, which drill of the catalog it rehearses, and what the bot's checks
// should then show. The UI lists these; the tests hold the checks to `shows`.
import type { Sim } from './sim.ts';

/** One check's expected verdict while the fault is active; its summary contains every `contains` string. */
export interface Expectation {
  check: string;
  status: 'fail' | 'warn';
  contains: string[];
}

export interface FaultSpec {
  id: string;
  title: string;
  /** The drill of src/drills/catalog.ts (caracal-ops.md §10.1) this fault belongs to. */
  drill: string;
  /** What is changed in the simulated deployment, in a sentence. */
  injects: string;
  /** What clearing it does (the recovery it stands for). */
  clears: string;
  /** Checks that must not pass while it is active; every other check is expected to pass. */
  shows: Expectation[];
  /** Needs the sandbox's Redis: unavailable when no Redis is reachable. */
  requiresRedis: boolean;
}

export interface FaultInfo extends FaultSpec {
  available: boolean;
  active: boolean;
}

export interface FaultDef extends FaultSpec {
  apply: (sim: Sim) => Promise<void>;
  /** Idempotent: safe when the fault is not active. */
  revert: (sim: Sim) => Promise<void>;
  /** True once the fault was fixed from outside (a forced Gateway reload, break-glass SQL): no longer active. */
  resolved?: (sim: Sim) => Promise<boolean>;
  /**
   * For faults that live in Postgres, which a configured database keeps across sandbox restarts: remove every
   * trace at start (clearing would be the recovery, with its own aftermath; a restart should start green).
   */
  reset?: (sim: Sim) => Promise<void>;
}
