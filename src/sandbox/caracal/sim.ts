// What the simulated deployment is made of, shared by the faults (which change it) and sync() (which derives the
// HTTP services' state from it). The stores are real (Postgres or PGlite, Redis); what only lives in a Caracal
// process's memory (a Gateway pod's snapshot time, a paused consumer) is kept here.
import type { CoordinatorJob, FakeCaracal } from '../fake-caracal.ts';
import type { CaracalPostgres } from './postgres.ts';
import type { TcpProxy } from './proxy.ts';
import type { CaracalRedis } from './redis.ts';

/** The Gateway reloads its revocation snapshot from Postgres every 30 s; older than 70 s it is stale (§6). */
export const RELOAD_INTERVAL_MS = 30_000;

export interface GatewayMemory {
  /** When this pod last loaded its snapshot (epoch ms): the snapshot age is measured from here. */
  lastReloadAt: number;
  /** When its next periodic reload is due. */
  nextReloadAt: number;
  /** The fake's `reloads` counter as last seen, to notice a forced reload made through the admin route. */
  seenReloads: number;
  /** Its periodic reload has stalled (the stale-snapshot fault); a successful forced reload un-sticks it. */
  stuck: boolean;
}

/** Entries to delete when the fault clears, or (with `ackGroup`) pending entries that group acknowledges. */
export interface AddedEntries {
  stream: string;
  ids: string[];
  ackGroup?: string;
}

export interface SimMemory {
  gateways: GatewayMemory[];
  /** STS pods unreachable: the Gateway's /ready then reports sts_unreachable (§1.3 step 5). */
  stsDown: boolean;
  /** The configured policy set's last activation: not yet loaded by STS, or rejected by its compiler. */
  policy: { unloaded: boolean; compileFailed: boolean; viaOutbox: boolean };
  /** Consumer groups whose consumer is paused: sync() does not poll them, so their lag and pending stay. */
  pausedGroups: Set<string>;
  /** Stream entries each fault added, by fault, so clearing one fault never removes another's. */
  entries: Map<string, AddedEntries[]>;
  /** When each Coordinator background job runs next (epoch ms). */
  jobsNextAt: Partial<Record<CoordinatorJob, number>>;
}

export interface Identity {
  zoneId: string;
  policySetId: string;
  /** The deployment's AUDIT_HMAC_KEY (hex): the audit chain and the DLQ entries' signatures use it. */
  auditKeyHex: string;
}

export interface Sim {
  fake: FakeCaracal;
  postgres: CaracalPostgres;
  redis: CaracalRedis;
  proxies: { postgres: TcpProxy; redis: TcpProxy };
  ids: Identity;
  memory: SimMemory;
  now(): number;
}

export function freshMemory(gatewayPods: number, now: number): SimMemory {
  return {
    // Staggered a little, as real pods started at different times; all loaded within the last 30 s.
    gateways: Array.from({ length: gatewayPods }, (_, i) => ({
      lastReloadAt: now - 5_000 * (i + 1),
      nextReloadAt: now - 5_000 * (i + 1) + RELOAD_INTERVAL_MS,
      seenReloads: 0,
      stuck: false,
    })),
    stsDown: false,
    policy: { unloaded: false, compileFailed: false, viaOutbox: false },
    pausedGroups: new Set(),
    entries: new Map(),
    jobsNextAt: {},
  };
}

/** Postgres as the services see it: through the proxy. */
export const postgresDown = (sim: Sim): boolean => sim.proxies.postgres.isDown();
/** Redis as the services see it: absent, or cut at the proxy. */
export const redisDown = (sim: Sim): boolean => !sim.redis.available || sim.proxies.redis.isDown();

/** The sandbox's Redis client, for faults that cannot exist without one. */
export function redisClient(sim: Sim): NonNullable<CaracalRedis['client']> {
  if (!sim.redis.client) throw new Error(`Redis is not available in this sandbox: ${sim.redis.problem ?? 'unknown'}`);
  return sim.redis.client;
}

/** Remember stream entries a fault added, to remove exactly those when it is cleared. */
export function rememberEntries(sim: Sim, fault: string, added: AddedEntries): void {
  const list = sim.memory.entries.get(fault) ?? [];
  list.push(added);
  sim.memory.entries.set(fault, list);
}

export function takeEntries(sim: Sim, fault: string): AddedEntries[] {
  const list = sim.memory.entries.get(fault) ?? [];
  sim.memory.entries.delete(fault);
  return list;
}
