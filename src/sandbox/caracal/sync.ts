// Derive what the simulated services answer from the simulated stores, where Caracal derives it: the outboxes in
// Postgres decide API and Coordinator readiness, the Gateway snapshot ages while Postgres is away, Audit's DLQ and
// lag come from Redis. The sandbox runs this after every fault change and every couple of seconds.
import { gatewayFresh, ingestAudit, type AuditPod, type CoordinatorJob, type GatewayPod } from '../fake-caracal.ts';
import { deriveActivation } from './faults-safety.ts';
import { LIVE_GROUPS } from './redis.ts';
import { postgresDown, RELOAD_INTERVAL_MS, redisDown, type GatewayMemory, type Sim } from './sim.ts';
import { AUDIT_DLQ_STREAM, AUDIT_STREAM, drain } from './streams.ts';

const MAX_RECORDED = 1000;

interface OutboxState {
  coordinatorDead: number;
  apiDead: number;
}

/** Caracal's attempt limits (§15.1.2): the Coordinator gives a row up after 10 attempts, the API after 100. */
export const COORDINATOR_MAX_ATTEMPTS = 10;
export const API_MAX_ATTEMPTS = 100;

/**
 * The outboxes as the services see them. While Redis is up the simulated dispatchers publish what is due (so a
 * requeued row, or one a DBA reset by hand, drains as it would). While it is down every due row fails an attempt
 * and backs off as Caracal's do (Coordinator (attempts+1) s, API 2^attempts s, both capped at 60 s), dying at the
 * real attempt counts; dead rows stay dead until someone acts (§4).
 */
async function readOutboxes(sim: Sim, redisUp: boolean): Promise<OutboxState> {
  const db = sim.postgres;
  const now = new Date(sim.now());
  if (redisUp) {
    await db.query(
      `UPDATE public.caracal_outbox SET status = 'published', published_at = $1, attempts = attempts + 1,
      updated_at = $1 WHERE producer = 'coordinator' AND status = 'pending' AND available_at <= $1`,
      [now],
    );
    await db.query(
      `UPDATE public.event_outbox SET dispatched_at = $1, attempts = attempts + 1
      WHERE dispatched_at IS NULL AND available_at <= $1`,
      [now],
    );
  } else {
    await db.query(
      `UPDATE public.caracal_outbox SET attempts = attempts + 1, updated_at = $1,
        status = CASE WHEN attempts + 1 >= ${COORDINATOR_MAX_ATTEMPTS} THEN 'dead' ELSE 'pending' END,
        available_at = $1::timestamptz + least(attempts + 2, 60) * interval '1 second'
      WHERE producer = 'coordinator' AND status = 'pending' AND available_at <= $1`,
      [now],
    );
    await db.query(
      `UPDATE public.event_outbox SET attempts = attempts + 1, last_error = 'XADD: connect ECONNREFUSED',
        available_at = CASE WHEN attempts + 1 >= ${API_MAX_ATTEMPTS} THEN 'infinity'::timestamptz
          ELSE $1::timestamptz + least(power(2, attempts + 1), 60) * interval '1 second' END
      WHERE dispatched_at IS NULL AND available_at <= $1`,
      [now],
    );
  }
  const [row] = await db.query<{ coordinator_dead: number; api_dead: number }>(`SELECT
    (SELECT count(*)::int FROM public.caracal_outbox WHERE producer = 'coordinator' AND status = 'dead') AS coordinator_dead,
    (SELECT count(*)::int FROM public.event_outbox WHERE dispatched_at IS NULL AND available_at = 'infinity') AS api_dead`);
  return { coordinatorDead: row?.coordinator_dead ?? 0, apiDead: row?.api_dead ?? 0 };
}

interface RedisState {
  dlqSize: number;
  auditPending: number;
  /** Audit's group was deleted: a running Audit never re-creates it and reports consumer_unhealthy (§14.5). */
  auditGroupMissing: boolean;
}

const isNoGroup = (err: unknown): boolean => /NOGROUP|no such key/i.test((err as Error).message ?? '');

/** One poll of every running consumer (paused ones excepted), then what Audit's own 30 s poll would read. */
async function pollRedis(sim: Sim): Promise<RedisState> {
  const client = sim.redis.client;
  if (!client) throw new Error('no Redis client');
  let auditGroupMissing = false;
  for (const spec of LIVE_GROUPS) {
    if (sim.memory.pausedGroups.has(spec.group)) continue;
    try {
      await drain(client, spec);
    } catch (err) {
      if (!isNoGroup(err)) throw err;
      if (spec.group === 'audit-ingestor') auditGroupMissing = true;
    }
  }
  const dlqSize = await client.xlen(AUDIT_DLQ_STREAM);
  const summary: unknown = auditGroupMissing ? [0] : await client.xpending(AUDIT_STREAM, 'audit-ingestor');
  const auditPending = Array.isArray(summary) ? Number(summary[0]) : 0;
  return { dlqSize, auditPending, auditGroupMissing };
}

/** A pod's snapshot: reloaded every 30 s while it can reach Postgres; a failed reload counts an error (§6). */
function syncGateway(pod: GatewayPod, mem: GatewayMemory, now: number, pgDown: boolean): void {
  if (pod.reloads > mem.seenReloads) {
    // A forced reload through the admin route succeeded (the fake refuses it while Postgres is down).
    mem.lastReloadAt = now;
    mem.nextReloadAt = now + RELOAD_INTERVAL_MS;
    mem.stuck = false;
  }
  if (now >= mem.nextReloadAt) {
    mem.nextReloadAt = now + RELOAD_INTERVAL_MS;
    if (pgDown || mem.stuck) pod.reloadErrors++;
    else {
      mem.lastReloadAt = now;
      pod.reloads++;
    }
  }
  mem.seenReloads = pod.reloads;
  pod.snapshotAgeSeconds = Math.max(0, Math.floor((now - mem.lastReloadAt) / 1000));
}

function syncAudit(pod: AuditPod, redis: RedisState | undefined, nowUnix: number): void {
  if (redis) {
    pod.dlqSize = redis.dlqSize;
    pod.consumerLag = redis.auditPending;
  }
  // With Redis down the fake already answers consumer_unhealthy; this covers a deleted group while Redis is up.
  pod.readyReason = redis?.auditGroupMissing ? 'consumer_unhealthy' : null;
  // The tamper sweep runs hourly and records when it finished (§14.2), so a long-running sandbox stays fresh.
  if (nowUnix - pod.lastSweepUnix >= 3600) pod.lastSweepUnix = nowUnix;
}

/** The Coordinator's background jobs and their intervals (apps/coordinator/src/config.ts defaults). */
const JOB_INTERVAL_MS: Record<CoordinatorJob, number> = { ttl_sweeper: 60_000, service_lease_sweeper: 30_000, retention_cleaner: 900_000 };

/** Each job runs on its interval; it needs Postgres, so each run during an outage counts a failure too. */
function runCoordinatorJobs(sim: Sim, now: number, pgDown: boolean): void {
  const jobs = sim.fake.state.coordinatorJobs;
  for (const job of Object.keys(JOB_INTERVAL_MS) as CoordinatorJob[]) {
    const next = sim.memory.jobsNextAt[job] ?? now;
    if (now < next) continue;
    sim.memory.jobsNextAt[job] = now + JOB_INTERVAL_MS[job];
    jobs[job].runs++;
    if (pgDown) jobs[job].failures++;
  }
}

export async function sync(sim: Sim): Promise<void> {
  const now = sim.now();
  const state = sim.fake.state;
  let pgDown = postgresDown(sim);
  let rDown = redisDown(sim);
  let outbox: OutboxState | undefined;
  let redis: RedisState | undefined;
  // A store that fails the sandbox's own direct connection is down for the services too.
  if (!pgDown) outbox = await readOutboxes(sim, !rDown).catch(() => undefined);
  runCoordinatorJobs(sim, now, pgDown || outbox === undefined);
  if (outbox !== undefined) await deriveActivation(sim).catch(() => undefined);
  pgDown ||= outbox === undefined;
  if (!rDown) redis = await pollRedis(sim).catch(() => undefined);
  rDown ||= redis === undefined;

  state.deployment.postgresDown = pgDown;
  state.deployment.redisDown = rDown;
  // Only when both stores answer does the outbox decide; otherwise the fake's store-outage answers apply, in
  // Caracal's order (the Redis-backed rate limit first, §14.4).
  const bothUp = !pgDown && !rDown;
  for (const api of state.api) api.notReady = bothUp && outbox && outbox.apiDead > 0 ? { deadCount: outbox.apiDead, limit: 0 } : null;
  for (const c of state.coordinator) c.notReady = bothUp && outbox && outbox.coordinatorDead > 0 ? 'outbox_dead' : null;
  state.gateway.forEach((pod, i) => {
    const mem = sim.memory.gateways[i];
    if (mem) syncGateway(pod, mem, now, pgDown);
    // sts_unreachable is the Gateway's last readiness step (§1.3): Redis, the snapshot and the evidence latch come first.
    pod.readyReason = sim.memory.stsDown && !rDown && gatewayFresh(pod) && pod.auditDropped === 0 ? 'sts_unreachable' : null;
  });
  for (const pod of state.audit) syncAudit(pod, redis, Math.floor(now / 1000));
  // A paused consumer leaves the Gateway's decisions in the stream; once it reads again they are inserted.
  state.auditConsumerPaused = sim.memory.pausedGroups.has('audit-ingestor');
  ingestAudit(state);
  // The fake records every request for tests; a sandbox left running must not grow without bound.
  if (sim.fake.requests.length > MAX_RECORDED) sim.fake.requests.splice(0, sim.fake.requests.length - MAX_RECORDED);
}
