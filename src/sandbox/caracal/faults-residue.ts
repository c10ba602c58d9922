// Faults of residue and old tampering, the two cases Caracal's own signals cannot settle (caracal-ops.md §15.2.3,
// §15.2.4): entries from before the incident that nothing in Caracal ever removes, and an old audit row edited
// outside the tamper sweep's window, which moves no counter until Audit restarts.
import type { Redis } from 'ioredis';
import { addDlqEntries } from './audit-dlq.ts';
import type { FaultDef } from './fault-types.ts';
import { OLD_TAMPER_TARGET_ID } from './seed.ts';
import { redisClient, rememberEntries, takeEntries } from './sim.ts';
import { AUDIT_DLQ_STREAM, signStreamFields } from './streams.ts';

const DEAD_STREAM = 'caracal.sessions.revoke.dead';
/** Two days before the sandbox's now: clearly from before any incident rehearsed today. */
const AGE_MS = 2 * 24 * 3600_000;

/** An explicit id at `ms`, or `*` when the stream already holds something newer (ids only grow). */
async function idAt(client: Redis, stream: string, ms: number): Promise<string> {
  // The stream's last generated id, not its last entry: deleted entries (an earlier fault's clear) still count.
  const info = (await client.xinfo('STREAM', stream).catch(() => undefined)) as unknown[] | undefined;
  const at = info ? info.indexOf('last-generated-id') : -1;
  const last = at >= 0 ? String(info?.[at + 1]) : undefined;
  return last && Number(last.split('-')[0]) >= ms ? '*' : `${ms}-0`;
}

export const historicResidue: FaultDef = {
  id: 'historic_residue',
  title: 'Residue from before the incident',
  drill: 'audit-backpressure',
  injects:
    'Adds what an earlier, handled incident left behind, dated two days ago: one dead-lettered revocation in ' +
    'caracal.sessions.revoke.dead and one hmac_verify_failed entry in the Audit DLQ. Caracal never removes either.',
  clears: 'Removes both entries, as the recorded break-glass step does (XRANGE into the incident log, then XDEL).',
  requiresRedis: true,
  shows: [
    { check: 'redis.dead-streams', status: 'warn', contains: ['caracal.sessions.revoke.dead holds 1 dead-lettered messages'] },
    { check: 'audit.dlq', status: 'fail', contains: ['1 audit event in the DLQ', '0 replayable, 1 integrity failure'] },
  ],
  async apply(sim) {
    const client = redisClient(sim);
    const at = sim.now() - AGE_MS;
    const fields = {
      original_id: `${at - 5000}-0`,
      error: 'handler failed: zone_id missing',
      values: JSON.stringify({ session_id: 'ar-historic-1' }),
    };
    const signed = { ...fields, _sig: signStreamFields(DEAD_STREAM, fields) };
    const dead = String(await client.xadd(DEAD_STREAM, await idAt(client, DEAD_STREAM, at), ...Object.entries(signed).flat()));
    rememberEntries(sim, 'historic_residue', { stream: DEAD_STREAM, ids: [dead] });
    const dlqAt = (await idAt(client, AUDIT_DLQ_STREAM, at)) === '*' ? undefined : new Date(at);
    const ids = await addDlqEntries(
      client,
      [{ reason: 'hmac_verify_failed', event: { zone_id: sim.ids.zoneId }, ...(dlqAt ? { at: dlqAt } : {}) }],
      { auditKeyHex: sim.ids.auditKeyHex },
    );
    rememberEntries(sim, 'historic_residue', { stream: AUDIT_DLQ_STREAM, ids });
  },
  async revert(sim) {
    if (!sim.redis.client) return;
    for (const { stream, ids } of takeEntries(sim, 'historic_residue')) if (ids.length > 0) await sim.redis.client.xdel(stream, ...ids);
  },
};

export const tamperedOldRow: FaultDef = {
  id: 'tampered_old_row',
  title: 'Tampered old audit row (outside the sweep window)',
  drill: 'tamper',
  injects:
    "Flips an audit row ingested 5 h ago from allow to deny. Audit's hourly sweep re-reads only rows ingested in the " +
    'last 4 h and its full sweep ran at start, before the edit: the tamper counters stay 0. Only the deep verification finds it.',
  clears: 'Restores the row from "backup".',
  requiresRedis: false,
  shows: [{ check: 'audit.chain', status: 'fail', contains: [`row id=${OLD_TAMPER_TARGET_ID}`, 'content_mismatch'] }],
  async apply(sim) {
    await sim.postgres.query("UPDATE public.audit_events SET decision = 'deny', ingested_at = now() - interval '5 hours' WHERE id = $1", [
      OLD_TAMPER_TARGET_ID,
    ]);
  },
  async reset(sim) {
    await sim.postgres.query("UPDATE public.audit_events SET decision = 'allow' WHERE id = $1", [OLD_TAMPER_TARGET_ID]);
  },
  async revert(sim) {
    await sim.postgres.query("UPDATE public.audit_events SET decision = 'allow' WHERE id = $1", [OLD_TAMPER_TARGET_ID]);
  },
};
