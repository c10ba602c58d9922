// The sandbox's fault catalog: one fault (or more) for every drill of caracal-ops.md §10.1, each injected into and
// cleared from the simulated deployment. Every change and every periodic sync runs one at a time, so a fault's
// several Redis or SQL steps never interleave with the simulated consumers' polling.
import type { FaultDef, FaultInfo } from './fault-types.ts';
import { auditBackpressure, deadOutboxRows, dlqEntries, replayBacklog, tamperedAuditRow } from './faults-evidence.ts';
import { postgresOutage, redisOutage, staleRevocationSnapshot, stsDown } from './faults-infra.ts';
import { historicResidue, tamperedOldRow } from './faults-residue.ts';
import {
  badPolicyActivation,
  deadActivationEvent,
  providerRefreshFailure,
  revocationPropagationLag,
  unloadedPolicy,
} from './faults-safety.ts';
import type { Sim } from './sim.ts';
import { sync } from './sync.ts';

export type { Expectation, FaultInfo } from './fault-types.ts';

/** In the runbook's order: storage, services, evidence, safety. */
export const FAULTS: readonly FaultDef[] = [
  redisOutage,
  postgresOutage,
  stsDown,
  deadOutboxRows,
  dlqEntries,
  auditBackpressure,
  replayBacklog,
  staleRevocationSnapshot,
  revocationPropagationLag,
  unloadedPolicy,
  deadActivationEvent,
  badPolicyActivation,
  providerRefreshFailure,
  tamperedAuditRow,
  historicResidue,
  tamperedOldRow,
];

export interface FaultControl {
  list(): FaultInfo[];
  inject(id: string): Promise<void>;
  clear(id: string): Promise<void>;
  active(): string[];
  /** Re-derive the services' state from the stores now (also runs after every inject and clear). */
  sync(): Promise<void>;
  /** Resolves once every queued inject, clear and sync has finished. */
  idle(): Promise<void>;
}

export class FaultError extends Error {
  override readonly name = 'FaultError';
}

export function createFaultControl(sim: Sim, defs: readonly FaultDef[] = FAULTS): FaultControl {
  const active = new Set<string>();
  let queue: Promise<unknown> = Promise.resolve();
  // A failed step must not wedge the queue: each job starts after the previous one settles, whatever it did.
  const serial = <T>(job: () => Promise<T>): Promise<T> => {
    const run = queue.then(job, job);
    queue = run.catch(() => undefined);
    return run;
  };
  const available = (f: Pick<FaultDef, 'requiresRedis'>) => !f.requiresRedis || sim.redis.available;
  const find = (id: string): FaultDef => {
    const f = defs.find((d) => d.id === id);
    if (!f) throw new FaultError(`unknown fault "${id}"; known: ${defs.map((d) => d.id).join(', ')}`);
    return f;
  };
  const syncNow = async (): Promise<void> => {
    await sync(sim);
    // A fault fixed from outside (a forced reload, break-glass SQL) is no longer active.
    for (const f of defs) {
      if (active.has(f.id) && f.resolved && (await f.resolved(sim))) active.delete(f.id);
    }
  };
  return {
    list: () =>
      defs.map(({ apply: _a, revert: _r, resolved: _s, reset: _p, ...spec }) => ({
        ...spec,
        available: available(spec),
        active: active.has(spec.id),
      })),
    async inject(id) {
      const f = find(id);
      if (!available(f)) throw new FaultError(`${f.title} needs Redis: ${sim.redis.problem ?? 'Redis unavailable'}`);
      await serial(async () => {
        if (active.has(id)) return;
        await f.apply(sim);
        active.add(id);
        await syncNow();
      });
    },
    async clear(id) {
      const f = find(id);
      await serial(async () => {
        // Reverting is idempotent, so clearing what is not active is harmless (and resets a kept database).
        if (available(f)) await f.revert(sim);
        active.delete(id);
        await syncNow();
      });
    },
    active: () => defs.filter((f) => active.has(f.id)).map((f) => f.id),
    sync: () => serial(syncNow),
    idle: () => queue.then(() => undefined),
  };
}

/** Remove what the faults stored in Postgres, for a configured database kept from an earlier sandbox run. */
export async function resetPersistent(sim: Sim, defs: readonly FaultDef[] = FAULTS): Promise<void> {
  for (const f of defs) if (f.reset) await f.reset(sim);
}
