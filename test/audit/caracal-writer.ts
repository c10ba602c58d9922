// A test stand-in for Caracal's Audit Insert (services/audit/internal/pg.go), written independently of
// src/audit: it hashes explicit byte buffers, so a wrong canonicalization in src/audit shows up as a mismatch.
import { createHash, createHmac } from 'node:crypto';
import type { TempDatabase } from '../helpers/pg.ts';

export const TEST_KEY_HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';

/** An event as a producer sends it: JSON as raw text (any spacing/order), occurred_at as RFC 3339 (up to ns). */
export interface TestEvent {
  id: string;
  zone_id: string;
  event_type?: string;
  request_id?: string | null;
  decision?: string | null;
  policy_set_id?: string | null;
  policy_set_version_id?: string | null;
  manifest_sha?: string | null;
  evaluation_status?: string | null;
  determining_policies_json?: string | null;
  diagnostics_json?: string | null;
  metadata_json?: string | null;
  occurred_at: string;
}

/** Go's Truncate(time.Microsecond) on a UTC RFC 3339 string: drop fraction digits past the sixth. */
export function truncateToMicros(iso: string): { iso: string; nanos: bigint } {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(iso);
  if (!m) throw new Error(`test events use UTC RFC 3339 with Z: ${iso}`);
  const micros = (m[2] ?? '').slice(0, 6).padEnd(6, '0');
  const seconds = BigInt(Date.parse(`${m[1]}Z`) / 1000);
  return { iso: `${m[1]}.${micros}Z`, nanos: (seconds * 1_000_000n + BigInt(micros)) * 1000n };
}

/** Caracal's contentHash over explicit bytes: 12 fields each + 0x1F, then decimal Unix nanoseconds. */
export function referenceContentHash(fields: (string | null)[], jsonTexts: (string | null)[], nanos: bigint): string {
  const h = createHash('sha256');
  for (const f of fields) h.update(Buffer.concat([Buffer.from(f ?? '', 'utf8'), Buffer.from([0x1f])]));
  for (const j of jsonTexts) h.update(Buffer.concat([Buffer.from(j ?? 'null', 'utf8'), Buffer.from([0x1f])]));
  h.update(Buffer.from(nanos.toString(), 'ascii'));
  return h.digest('hex');
}

export function referenceHmac(keyHex: string, content: string, prev: string): string {
  return createHmac('sha256', Buffer.from(keyHex, 'hex')).update(`${content}|${prev}`, 'utf8').digest('hex');
}

/** Caracal's nullableJSON: an empty value or the literal `null` is stored as SQL NULL. */
const nullableJson = (s: string | null | undefined): string | null => (!s || s === 'null' ? null : s);

/**
 * Insert like Caracal: canonicalise JSON through jsonb::text and occurred_at to microseconds, take the zone's
 * head (highest chain_seq), then write content hash, prev link, HMAC ('' without a key) and head + 1.
 */
export async function insertEvent(db: TempDatabase, ev: TestEvent, keyHex: string | undefined): Promise<string> {
  const json = [ev.determining_policies_json, ev.diagnostics_json, ev.metadata_json].map(nullableJson);
  const canon = (await db.exec('SELECT $1::jsonb::text AS a, $2::jsonb::text AS b, $3::jsonb::text AS c', json)).rows[0] as Record<
    'a' | 'b' | 'c',
    string | null
  >;
  const head = (
    await db.exec(
      'SELECT content_sha256, chain_seq::int AS seq FROM public.audit_events WHERE zone_id = $1 ORDER BY chain_seq DESC LIMIT 1',
      [ev.zone_id],
    )
  ).rows[0] as { content_sha256: string; seq: number } | undefined;
  const at = truncateToMicros(ev.occurred_at);
  const text = [
    ev.id,
    ev.zone_id,
    ev.event_type ?? 'authz.decision',
    ev.request_id ?? null,
    ev.decision ?? null,
    ev.policy_set_id ?? null,
    ev.policy_set_version_id ?? null,
    ev.manifest_sha ?? null,
    ev.evaluation_status ?? null,
  ];
  const content = referenceContentHash(text, [canon.a, canon.b, canon.c], at.nanos);
  const prev = head?.content_sha256 ?? '';
  const hmac = keyHex ? referenceHmac(keyHex, content, prev) : '';
  await db.exec(
    `INSERT INTO public.audit_events (id, zone_id, event_type, request_id, decision, policy_set_id,
       policy_set_version_id, manifest_sha, evaluation_status, determining_policies_json, diagnostics_json,
       metadata_json, occurred_at, content_sha256, prev_content_sha256, chain_hmac, chain_seq)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10::jsonb,$11::jsonb,$12::jsonb,$13,$14,$15,$16,$17)`,
    [...text, ...json, at.iso, content, prev || null, hmac, (head?.seq ?? 0) + 1],
  );
  return content;
}

/** Caracal's index for the chain head (and the verifier's keyset pages); the fixture schema leaves it out. */
export async function addChainIndex(db: TempDatabase): Promise<void> {
  await db.exec('CREATE INDEX IF NOT EXISTS audit_events_zone_chain ON public.audit_events (zone_id, chain_seq DESC)');
}
