// The data a healthy deployment has in Postgres: its zone and policy set, outbox rows already delivered, and a
// short audit chain written the way Audit writes it (caracal-ops.md §5.3), so deep verification has rows to check
// and the tamper fault has a row to change.
import { randomUUID } from 'node:crypto';
import { chainHmac, contentHash } from '../../audit/chain.ts';
import type { CaracalPostgres } from './postgres.ts';
import type { Identity } from './sim.ts';

const CHAIN_LENGTH = 6;
const eventId = (n: number) => `7a3c0b55-0000-4000-8000-${String(n).padStart(12, '0')}`;
/** The chain's 3rd event is a deny: the tamper fault flips it to allow, the change an attacker would want. */
export const TAMPER_TARGET_ID = eventId(3);
/** The 5th event (an allow): the old-row tamper fault edits it as if it had been ingested hours ago (§15.2.3). */
export const OLD_TAMPER_TARGET_ID = eventId(5);

interface NewEvent {
  id: string;
  zone_id: string;
  event_type: string;
  request_id: string;
  decision: string;
  policy_set_id: string;
  occurredAt: Date;
}

/** Append one event to its zone's chain like Audit's Insert: head + 1, prev link, content hash, chain HMAC. */
async function appendAuditEvent(db: CaracalPostgres, keyHex: string, ev: NewEvent): Promise<void> {
  const [head] = await db.query<{ content_sha256: string; seq: string }>(
    'SELECT content_sha256, chain_seq::text AS seq FROM public.audit_events WHERE zone_id = $1 ORDER BY chain_seq DESC LIMIT 1',
    [ev.zone_id],
  );
  // The JSON columns stay NULL, which Caracal hashes as the text `null`; occurred_at has whole milliseconds, so
  // its microseconds are exact.
  const content = contentHash({
    id: ev.id,
    zone_id: ev.zone_id,
    event_type: ev.event_type,
    request_id: ev.request_id,
    decision: ev.decision,
    policy_set_id: ev.policy_set_id,
    policy_set_version_id: null,
    manifest_sha: null,
    evaluation_status: 'ok',
    determining_policies_json: null,
    diagnostics_json: null,
    metadata_json: null,
    occurredAtMicros: BigInt(ev.occurredAt.getTime()) * 1000n,
  });
  const prev = head?.content_sha256 ?? null;
  await db.query(
    `INSERT INTO public.audit_events (id, zone_id, event_type, request_id, decision, policy_set_id, evaluation_status,
       occurred_at, content_sha256, prev_content_sha256, chain_hmac, chain_seq, ingest_signature)
     VALUES ($1, $2, $3, $4, $5, $6, 'ok', $7::timestamptz, $8, $9, $10, $11::bigint, NULL)`,
    [
      ev.id,
      ev.zone_id,
      ev.event_type,
      ev.request_id,
      ev.decision,
      ev.policy_set_id,
      ev.occurredAt.toISOString(),
      content,
      prev,
      chainHmac(keyHex, content, prev),
      String(BigInt(head?.seq ?? '0') + 1n),
    ],
  );
}

async function seedOutboxHistory(db: CaracalPostgres, ids: Identity): Promise<void> {
  const topics = ['caracal.agents.lifecycle', 'caracal.sessions.revoke', 'caracal.invocations.lifecycle'];
  for (const topic of topics) {
    await db.query(
      `INSERT INTO public.caracal_outbox (id, producer, topic, dedupe_key, payload_json, status, attempts, published_at, created_at)
       VALUES ($1, 'coordinator', $2, $3, $4::jsonb, 'published', 1, now() - interval '9 minutes', now() - interval '10 minutes')`,
      [randomUUID(), topic, `seed:${randomUUID()}`, JSON.stringify({ zone_id: ids.zoneId })],
    );
  }
  for (const stream of ['caracal.policy.invalidate', 'caracal.sessions.revoke', 'caracal.audit.events']) {
    await db.query(
      `INSERT INTO public.event_outbox (id, stream_name, payload_json, attempts, dispatched_at, created_at)
       VALUES ($1, $2, $3::jsonb, 1, now() - interval '7 minutes', now() - interval '8 minutes')`,
      [randomUUID(), stream, JSON.stringify({ zone_id: ids.zoneId })],
    );
  }
}

/**
 * Seed a database that has no data for the sandbox's zone yet (PGlite always; a configured Postgres on its first
 * start). Returns whether it seeded.
 */
export async function seedDeployment(db: CaracalPostgres, ids: Identity, now: Date): Promise<boolean> {
  const [{ n }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM public.zones WHERE id = $1', [ids.zoneId]);
  if (n > 0) return false;
  await db.query('INSERT INTO public.zones (id, name) VALUES ($1, $2)', [ids.zoneId, 'sandbox']);
  await db.query('INSERT INTO public.policy_sets (id, zone_id, name) VALUES ($1, $2, $3)', [ids.policySetId, ids.zoneId, 'default']);
  await seedOutboxHistory(db, ids);
  for (let n = 1; n <= CHAIN_LENGTH; n++) {
    await appendAuditEvent(db, ids.auditKeyHex, {
      id: eventId(n),
      zone_id: ids.zoneId,
      event_type: n % 2 === 0 ? 'sts.token' : 'gateway.request',
      request_id: randomUUID(),
      decision: n === 3 ? 'deny' : 'allow',
      policy_set_id: ids.policySetId,
      // A minute apart, ending a minute ago (right after a month starts they land in audit_events_default).
      occurredAt: new Date(Math.floor(now.getTime() / 1000) * 1000 - (CHAIN_LENGTH - n + 1) * 60_000),
    });
  }
  return true;
}
