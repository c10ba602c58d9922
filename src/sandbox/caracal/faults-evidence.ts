// Faults of the evidence pipeline, written into the real stores: DLQ entries and a paused audit consumer in Redis,
// dead outbox rows and a tampered audit row in Postgres, replay files on the producers (caracal-ops.md §4, §5).
import { randomUUID } from 'node:crypto';
import { resetTransaction } from '../../checks/postgres/outbox-reset-sql.ts';
import { addDlqEntries, type DlqEntrySpec } from './audit-dlq.ts';
import type { FaultDef } from './fault-types.ts';
import { TAMPER_TARGET_ID } from './seed.ts';
import { redisClient, rememberEntries, takeEntries, type Sim } from './sim.ts';
import { addEntries, addPending, AUDIT_DLQ_STREAM, AUDIT_STREAM, SERVICE_GROUPS } from './streams.ts';

/** Marks the rows the sandbox kills, so clearing touches only those (and works against a kept database). */
const DEAD_MARK = 'sandbox-fault';

/** What an operator does: POST the Audit DLQ replay route, which takes back only the replayable entries. */
async function replayDlq(sim: Sim): Promise<void> {
  const [base] = sim.fake.urls.audit;
  const token = sim.fake.state.tokens.auditAdminToken;
  if (!base || token === null) return;
  await fetch(`${base}/api/audit/dlq/replay?limit=1000`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
}

async function forget(sim: Sim, fault: string): Promise<void> {
  const client = redisClient(sim);
  for (const { stream, ids, ackGroup } of takeEntries(sim, fault)) {
    if (ids.length === 0) continue;
    // DLQ entries are deleted (replayed or handled); pending entries are acknowledged by their group.
    if (ackGroup) await client.xack(stream, ackGroup, ...ids);
    else await client.xdel(stream, ...ids);
  }
}

async function dlq(sim: Sim, fault: string, specs: DlqEntrySpec[]): Promise<void> {
  const ids = await addDlqEntries(redisClient(sim), specs, { auditKeyHex: sim.ids.auditKeyHex });
  rememberEntries(sim, fault, { stream: AUDIT_DLQ_STREAM, ids });
}

export const dlqEntries: FaultDef = {
  id: 'dlq_entries',
  title: 'Audit DLQ entries',
  drill: 'audit-backpressure',
  injects:
    'Adds 4 entries to caracal.audit.events.dlq: first one hmac_verify_failed (an integrity failure, never replayed), ' +
    'then 3 replayable ones (transient_exceeded_max_deliveries, pg_permanent_error).',
  clears:
    "Calls Audit's DLQ replay route (the 3 replayable entries go back to the stream), then removes the integrity " +
    'failure as the recorded break-glass step does (XRANGE into the incident log, then XDEL).',
  requiresRedis: true,
  shows: [{ check: 'audit.dlq', status: 'fail', contains: ['4 audit events in the DLQ', '3 replayable, 1 integrity failure,'] }],
  apply: (sim) =>
    dlq(sim, 'dlq_entries', [
      { reason: 'hmac_verify_failed', event: { zone_id: sim.ids.zoneId } },
      { reason: 'transient_exceeded_max_deliveries:conn refused', event: { zone_id: sim.ids.zoneId } },
      { reason: 'transient_exceeded_max_deliveries:conn refused', event: { zone_id: sim.ids.zoneId } },
      { reason: 'pg_permanent_error:23502 null value in column "request_id"', event: { zone_id: sim.ids.zoneId } },
    ]),
  async revert(sim) {
    if (sim.redis.client && !sim.proxies.redis.isDown()) await replayDlq(sim);
    await forget(sim, 'dlq_entries');
  },
};

export const auditBackpressure: FaultDef = {
  id: 'audit_backpressure',
  title: 'Audit consumer paused (backpressure)',
  drill: 'audit-backpressure',
  injects:
    'Pauses the audit-ingestor consumer: 1500 events wait undelivered (lag), 20 delivered ones sit unacknowledged ' +
    'for 3 minutes, and 2 events that exhausted their deliveries went to the DLQ.',
  clears: 'Resumes the consumer: it ingests the backlog, acknowledges its pending entries, and the DLQ entries are replayed.',
  requiresRedis: true,
  shows: [
    { check: 'redis.backlog', status: 'fail', contains: ['caracal.audit.events/audit-ingestor lag 1500 > 1000'] },
    { check: 'audit.dlq', status: 'fail', contains: ['2 audit events in the DLQ', '2 replayable'] },
    // The canary's decisions wait in the stream with the rest: not in Audit before the lookup gives up.
    { check: 'resume.canary', status: 'fail', contains: ['its decision is not in Audit'] },
  ],
  async apply(sim) {
    const client = redisClient(sim);
    const spec = SERVICE_GROUPS.find((g) => g.group === 'audit-ingestor');
    if (!spec) throw new Error('audit-ingestor is not a service group');
    sim.memory.pausedGroups.add(spec.group);
    const pending = await addPending(client, spec, 20, { idleMs: 180_000 });
    rememberEntries(sim, 'audit_backpressure', { stream: spec.stream, ids: pending, ackGroup: spec.group });
    await addEntries(client, AUDIT_STREAM, 1500, (i) => ({ id: randomUUID(), data: `{"seq":${i}}`, sig: 'backlog' }));
    const reason = 'transient_exceeded_max_deliveries:deadlock detected';
    await dlq(sim, 'audit_backpressure', [
      { reason, event: { zone_id: sim.ids.zoneId } },
      { reason, event: { zone_id: sim.ids.zoneId } },
    ]);
  },
  async revert(sim) {
    sim.memory.pausedGroups.delete('audit-ingestor');
    if (sim.redis.client && !sim.proxies.redis.isDown()) await replayDlq(sim);
    if (sim.redis.client) await forget(sim, 'audit_backpressure');
  },
};

export const deadOutboxRows: FaultDef = {
  id: 'dead_outbox_rows',
  title: 'Dead outbox rows (API and Coordinator)',
  drill: 'redis-outage',
  injects:
    'Writes a dead caracal_outbox row (producer coordinator, after 10 attempts) and a dead event_outbox row ' +
    "(available_at 'infinity' after 100 attempts), as a long Redis outage leaves them.",
  clears:
    "Requeues the Coordinator row through the Coordinator's requeue route and resets the API row with the bot's " +
    'break-glass SQL transaction, as an operator and a DBA would; both are then published.',
  requiresRedis: false,
  shows: [
    { check: 'outbox.coordinator', status: 'fail', contains: ['1 dead row in caracal_outbox'] },
    { check: 'outbox.api', status: 'fail', contains: ['1 dead row in event_outbox'] },
    { check: 'services.ready', status: 'fail', contains: ['error=outbox_dead', 'error=outbox_dead_messages deadCount=1'] },
  ],
  async apply(sim) {
    const payload = JSON.stringify({ zone_id: sim.ids.zoneId, agent_id: randomUUID(), event: 'agent.stopped' });
    await sim.postgres.query(
      `INSERT INTO public.caracal_outbox (id, producer, topic, dedupe_key, payload_json, status, attempts, created_at)
       VALUES ($1, 'coordinator', 'caracal.agents.lifecycle', $2, $3::jsonb, 'dead', 10, now() - interval '3 minutes')`,
      [randomUUID(), `${DEAD_MARK}:${randomUUID()}`, payload],
    );
    await sim.postgres.query(
      `INSERT INTO public.event_outbox (id, stream_name, payload_json, attempts, available_at, last_error, request_id, created_at)
       VALUES ($1, 'caracal.sessions.revoke', $2::jsonb, 100, 'infinity', $3, $4, now() - interval '2 hours')`,
      [randomUUID(), JSON.stringify({ zone_id: sim.ids.zoneId, session_id: randomUUID() }), 'XADD: connect ECONNREFUSED', DEAD_MARK],
    );
  },
  async revert(sim) {
    // Nothing here writes the rows directly: the same two remedies as in Caracal.
    const dead = await sim.postgres.query<{ id: string; zone_id: string }>(`SELECT id, payload_json->>'zone_id' AS zone_id
      FROM public.caracal_outbox WHERE status = 'dead' AND dedupe_key LIKE '${DEAD_MARK}:%'`);
    const [base] = sim.fake.urls.coordinator;
    const token = sim.fake.state.tokens.coordinatorToken;
    for (const row of dead) {
      if (!base || token === null) break;
      await fetch(`${base}/zones/${row.zone_id}/outbox/${row.id}/requeue`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
    }
    const apiDead = await sim.postgres.query<{ id: string }>(`SELECT id FROM public.event_outbox
      WHERE dispatched_at IS NULL AND available_at = 'infinity' AND request_id = '${DEAD_MARK}'`);
    if (apiDead.length > 0) await sim.postgres.query(resetTransaction(apiDead.map((r) => r.id)).join('\n'));
  },
  async reset(sim) {
    await sim.postgres.query(`DELETE FROM public.caracal_outbox WHERE dedupe_key LIKE '${DEAD_MARK}:%'`);
    await sim.postgres.query(`DELETE FROM public.event_outbox WHERE request_id = '${DEAD_MARK}'`);
  },
  async resolved(sim) {
    const [row] = await sim.postgres.query<{ n: number }>(`SELECT
      (SELECT count(*) FROM public.caracal_outbox WHERE status = 'dead' AND dedupe_key LIKE '${DEAD_MARK}:%') +
      (SELECT count(*) FROM public.event_outbox WHERE available_at = 'infinity' AND dispatched_at IS NULL
        AND request_id = '${DEAD_MARK}') AS n`);
    return Number(row?.n ?? 1) === 0;
  },
};

export const replayBacklog: FaultDef = {
  id: 'replay_backlog',
  title: 'Audit replay backlog on STS and Gateway',
  drill: 'redis-outage',
  injects: 'The first STS pod holds 2 audit replay files (oldest 420 s) and the first Gateway pod 3 (oldest 380 s).',
  clears: 'Restarts those pods: replay files drain only at process start.',
  requiresRedis: false,
  shows: [
    { check: 'audit.replay', status: 'fail', contains: ['2 audit replay file(s), oldest 420 s', '3 audit replay file(s), oldest 380 s'] },
  ],
  apply(sim) {
    const [sts] = sim.fake.state.sts;
    const [gateway] = sim.fake.state.gateway;
    if (sts) Object.assign(sts, { replayFiles: 2, replayOldestSeconds: 420 });
    if (gateway) Object.assign(gateway, { replayFiles: 3, replayOldestSeconds: 380 });
    return Promise.resolve();
  },
  revert(sim) {
    for (const pod of [...sim.fake.state.sts, ...sim.fake.state.gateway]) Object.assign(pod, { replayFiles: 0, replayOldestSeconds: 0 });
    return Promise.resolve();
  },
};

export const tamperedAuditRow: FaultDef = {
  id: 'tampered_audit_row',
  title: 'Tampered audit row',
  drill: 'tamper',
  injects:
    "Flips one stored audit_events row's decision from deny to allow out of band; Audit's sweep then counts one " +
    'content mismatch, and deep verification finds the row.',
  clears: 'Restores the row from "backup" and restarts Audit (its counters start again from zero after a full sweep).',
  requiresRedis: false,
  shows: [
    { check: 'audit.tamper', status: 'fail', contains: ['mismatches 1'] },
    { check: 'audit.chain', status: 'fail', contains: [`row id=${TAMPER_TARGET_ID}`, 'content_mismatch'] },
  ],
  async apply(sim) {
    await sim.postgres.query("UPDATE public.audit_events SET decision = 'allow' WHERE id = $1", [TAMPER_TARGET_ID]);
    const nowUnix = Math.floor(sim.now() / 1000);
    for (const pod of sim.fake.state.audit) Object.assign(pod, { tamperMismatch: pod.tamperMismatch + 1, lastSweepUnix: nowUnix });
  },
  async reset(sim) {
    await sim.postgres.query("UPDATE public.audit_events SET decision = 'deny' WHERE id = $1", [TAMPER_TARGET_ID]);
  },
  async revert(sim) {
    await sim.postgres.query("UPDATE public.audit_events SET decision = 'deny' WHERE id = $1", [TAMPER_TARGET_ID]);
    const nowUnix = Math.floor(sim.now() / 1000);
    for (const pod of sim.fake.state.audit) {
      Object.assign(pod, { tamperMismatch: 0, tamperChainBreaks: 0, tamperHmacFailures: 0, lastSweepUnix: nowUnix, lastFullUnix: nowUnix });
    }
  },
};
