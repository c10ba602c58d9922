// Faults of the stores and services themselves: Redis and Postgres cut at the sandbox's TCP proxies, STS
// unreachable, a Gateway pod whose revocation snapshot went stale (caracal-ops.md §1.2-§1.6, §6, §10.1 drills 1-3).
import type { FaultDef } from './fault-types.ts';
import { RELOAD_INTERVAL_MS, type Sim } from './sim.ts';

/** Fast-forward: the Gateway fails closed only after 70 s without Postgres; the sandbox shows it at once (§6). */
const STALE_AFTER_MS = 71_000;

function reloadAll(sim: Sim): void {
  // Postgres is back: every pod's next periodic reload (due within 30 s) happens on the next sync.
  for (const mem of sim.memory.gateways) mem.nextReloadAt = sim.now();
}

export const redisOutage: FaultDef = {
  id: 'redis_outage',
  title: 'Redis outage',
  drill: 'redis-outage',
  injects: 'Cuts every connection to Redis at the sandbox proxy and refuses new ones, as when Redis is unreachable.',
  clears: 'Lets Redis traffic through again; the consumers poll and the groups catch up.',
  requiresRedis: true,
  shows: [
    { check: 'redis.reachable', status: 'fail', contains: ["Could not read Caracal's Redis"] },
    { check: 'redis.streams', status: 'fail', contains: ["Could not read Caracal's Redis"] },
    { check: 'redis.backlog', status: 'fail', contains: ["Could not read Caracal's Redis"] },
    { check: 'redis.dead-streams', status: 'fail', contains: ["Could not read Caracal's Redis"] },
    { check: 'audit.dlq', status: 'fail', contains: ["Could not read Caracal's Redis"] },
    {
      // API and Coordinator answer 500 from their Redis-backed rate limit before any readiness logic, but only
      // after their Redis clients give up (0.5 to 21 s): a probe with a shorter timeout sees no answer (§15.1.1).
      check: 'services.ready',
      status: 'fail',
      contains: ['reason=redis_unreachable', 'reason=consumer_unhealthy'],
    },
    // The API's /v1 routes pass the same Redis-backed limiter: activation status cannot be read, nor Control asked.
    { check: 'sts.policy', status: 'fail', contains: ['activation status unknown'] },
    { check: 'control.gate', status: 'fail', contains: ['cannot serve'] },
    // The Coordinator's global rate limit covers /stats too.
    { check: 'coordinator.stats', status: 'fail', contains: ['/stats unknown'] },
    // Audit's consumer is down: its sweep counters are not evidence of "no tampering" now.
    { check: 'audit.tamper', status: 'warn', contains: ['not ready'] },
    // Audit's /health is 503 while its consumer is unhealthy; every /v1 and /stats call waits on the Redis-backed hook.
    { check: 'services.live', status: 'fail', contains: ['Audit', 'stream consumer unhealthy'] },
    { check: 'admin.auth', status: 'fail', contains: ['did not accept an admin call'] },
    { check: 'backlog.metrics', status: 'fail', contains: ['outbox counts unknown'] },
    { check: 'zones', status: 'fail', contains: ['could not be fully read'] },
    // Live Gateway groups cannot be read, so nobody can tell whether every Gateway pod was checked.
    { check: 'gateway.revocation', status: 'fail', contains: ['cannot tell whether every pod was checked'] },
    // The Gateway fails closed without its jti check (Redis): the canary's allow and deny both get 503.
    { check: 'resume.canary', status: 'fail', contains: ['jti_check_unavailable'] },
  ],
  apply: (sim) => sim.proxies.redis.down(),
  revert: (sim) => sim.proxies.redis.up(),
};

export const postgresOutage: FaultDef = {
  id: 'postgres_outage',
  title: 'Postgres outage',
  drill: 'postgres-outage',
  injects:
    'Cuts every connection to Postgres at the sandbox proxy and refuses new ones; the Gateway pods are fast-forwarded ' +
    'past the 70 s their revocation snapshot stays fresh, with two failed reloads each.',
  clears: 'Lets Postgres traffic through again; every Gateway pod reloads its snapshot at once.',
  requiresRedis: false,
  shows: [
    { check: 'postgres.reachable', status: 'fail', contains: ['Postgres is unreachable'] },
    { check: 'postgres.migrations', status: 'fail', contains: ['Postgres:'] },
    { check: 'postgres.tables', status: 'fail', contains: ['Postgres:'] },
    { check: 'postgres.connections', status: 'fail', contains: ['Postgres:'] },
    { check: 'audit.ingest_alerts', status: 'fail', contains: ['Postgres:'] },
    { check: 'coordinator.stats', status: 'fail', contains: ['/stats unknown'] },
    { check: 'outbox.api', status: 'fail', contains: ['Postgres:'] },
    { check: 'outbox.coordinator', status: 'fail', contains: ['Postgres:'] },
    { check: 'audit.chain', status: 'fail', contains: ['Postgres:'] },
    {
      check: 'services.ready',
      status: 'fail',
      contains: ['reason=postgres_unreachable', 'error=postgres_unreachable', 'reason=revocation_snapshot_stale'],
    },
    { check: 'gateway.revocation', status: 'fail', contains: ['revocation snapshot stale'] },
    // The Gateway fails closed on a stale snapshot: the canary's allow and deny both get 503.
    { check: 'resume.canary', status: 'fail', contains: ['revocation state unavailable'] },
    // STS answers 404 when its key query fails: not a missing key (§15.2.7).
    { check: 'sts.jwks', status: 'fail', contains: ['not a missing key'] },
    // The API checks admin tokens in Postgres, so activation status cannot be read.
    { check: 'sts.policy', status: 'fail', contains: ['activation status unknown'] },
    // Audit's sweep reads Postgres: its counters say nothing new while it cannot.
    { check: 'audit.tamper', status: 'warn', contains: ['not ready'] },
    // The admin reads all query Postgres, and so does the Coordinator's /stats.
    { check: 'admin.auth', status: 'fail', contains: ['did not accept an admin call', 'internal_error'] },
    { check: 'backlog.metrics', status: 'fail', contains: ['outbox counts unknown'] },
    { check: 'zones', status: 'fail', contains: ['could not be fully read', 'HTTP 500'] },
  ],
  async apply(sim) {
    await sim.proxies.postgres.down();
    const now = sim.now();
    sim.fake.state.gateway.forEach((pod, i) => {
      const mem = sim.memory.gateways[i];
      if (!mem) return;
      mem.lastReloadAt = Math.min(mem.lastReloadAt, now - STALE_AFTER_MS);
      mem.nextReloadAt = now + RELOAD_INTERVAL_MS;
      pod.reloadErrors += 2;
    });
  },
  async revert(sim) {
    await sim.proxies.postgres.up();
    reloadAll(sim);
  },
};

export const stsDown: FaultDef = {
  id: 'sts_down',
  title: 'STS unreachable',
  drill: 'sts-unreachable',
  injects: 'Every STS pod accepts connections and never answers (a black-holed path); the Gateway reports sts_unreachable.',
  clears: 'STS answers again; the Gateway finds it on its next readiness probe.',
  requiresRedis: false,
  shows: [
    { check: 'services.ready', status: 'fail', contains: ['STS', 'no answer', 'reason=sts_unreachable'] },
    { check: 'sts.jwks', status: 'fail', contains: ['zone/pod JWKS reads failed'] },
    { check: 'sts.policy', status: 'fail', contains: ['compile errors unknown'] },
    { check: 'audit.replay', status: 'fail', contains: ['replay backlog unknown'] },
    { check: 'services.live', status: 'fail', contains: ['STS', 'process down or unreachable'] },
    { check: 'sts.evaluation', status: 'fail', contains: ['evaluation errors unknown'] },
    // Every proxied request is exchanged at STS: the canary's allow and deny are both rejected before dispatch.
    { check: 'resume.canary', status: 'fail', contains: ['sts unavailable'] },
  ],
  apply(sim) {
    for (const pod of sim.fake.state.sts) pod.fault = 'hang';
    sim.memory.stsDown = true;
    return Promise.resolve();
  },
  revert(sim) {
    for (const pod of sim.fake.state.sts) pod.fault = 'none';
    sim.memory.stsDown = false;
    return Promise.resolve();
  },
};

/** The last Gateway pod: the other keeps serving, as when one pod's reload loop wedges. */
const stalePod = (sim: Sim) => sim.memory.gateways.length - 1;

export const staleRevocationSnapshot: FaultDef = {
  id: 'stale_revocation_snapshot',
  title: 'Stale revocation snapshot on one Gateway pod',
  drill: 'postgres-outage',
  injects:
    "The last Gateway pod's periodic snapshot reload stalls: its snapshot is 95 s old (limit 70 s) and every reload " +
    'fails, so the pod fails every proxied request closed.',
  clears: 'The pod reloads its snapshot. A forced reload (the bot\'s "Reload snapshot" action) fixes it too.',
  requiresRedis: false,
  shows: [
    { check: 'gateway.revocation', status: 'fail', contains: ['revocation snapshot stale'] },
    { check: 'services.ready', status: 'fail', contains: ['reason=revocation_snapshot_stale'] },
  ],
  apply(sim) {
    const i = stalePod(sim);
    const mem = sim.memory.gateways[i];
    const pod = sim.fake.state.gateway[i];
    if (mem && pod) {
      mem.stuck = true;
      mem.lastReloadAt = sim.now() - 95_000;
      pod.reloadErrors += 3;
    }
    return Promise.resolve();
  },
  revert(sim) {
    const mem = sim.memory.gateways[stalePod(sim)];
    if (mem) {
      mem.stuck = false;
      mem.nextReloadAt = sim.now();
    }
    return Promise.resolve();
  },
  resolved: (sim) => Promise.resolve(!sim.memory.gateways.some((g) => g.stuck)),
};
