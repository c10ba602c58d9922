// Large intact chains generated inside Postgres in one statement (seconds for a million rows, no Node memory).
// The hashes are computed in SQL, a third implementation independent of src/audit and of caracal-writer.ts:
// occurred_at is built from an integer of microseconds and that same integer is hashed, not re-extracted.
import type { TempDatabase } from '../helpers/pg.ts';
import { addChainIndex } from './caracal-writer.ts';

export interface BulkChainOptions {
  rows: number;
  zones: number;
  /** occurred_at of row 0, in Unix microseconds. */
  startMicros: bigint;
  /** Microseconds between consecutive rows; pick it so the rows cross a month boundary. */
  stepMicros: number;
  keyHex: string;
}

// Every 0x1F-separated field Caracal hashes, in order; concat_ws puts no separator after the last (the time).
// JSON shapes vary (NULL, arrays, objects with out-of-order keys, escapes, non-ASCII) so jsonb::text matters.
const SQL = `
INSERT INTO public.audit_events (id, zone_id, event_type, request_id, decision, policy_set_id,
  policy_set_version_id, manifest_sha, evaluation_status, determining_policies_json, diagnostics_json,
  metadata_json, occurred_at, content_sha256, prev_content_sha256, chain_hmac, chain_seq)
WITH base AS (
  SELECT g, 'zone-' || (g % $2) AS zone_id, g / $2 + 1 AS seq, 'evt-' || lpad(g::text, 8, '0') AS id,
    CASE WHEN g % 7 = 0 THEN NULL ELSE 'req-' || g END AS request_id,
    CASE WHEN g % 2 = 0 THEN 'allow' ELSE 'deny' END AS decision,
    jsonb_build_array('policy-' || (g % 13), g % 11) AS det,
    CASE WHEN g % 5 = 0 THEN NULL
      ELSE ('{"score": ' || (g % 100) || ', "rule": "r' || (g % 17) || '", "ok": ' || (g % 3 = 0) || '}')::jsonb END AS diag,
    CASE WHEN g % 3 = 0 THEN NULL
      ELSE jsonb_build_object('b', g, 'a', 'naïve "q" ' || chr(10) || '€' || g) END AS meta,
    $3::bigint + g::bigint * $4::bigint AS micros
  FROM generate_series(0, $1 - 1) AS g
), hashed AS (
  SELECT *, encode(sha256(convert_to(concat_ws(E'\\x1f', id, zone_id, 'authz.decision', coalesce(request_id, ''),
      decision, 'ps-1', 'psv-1', '', 'ok', coalesce(det::text, 'null'), coalesce(diag::text, 'null'),
      coalesce(meta::text, 'null'), (micros * 1000)::text), 'UTF8')), 'hex') AS content
  FROM base
), linked AS (
  SELECT *, lag(content) OVER (PARTITION BY zone_id ORDER BY seq) AS prev FROM hashed
)
SELECT id, zone_id, 'authz.decision', request_id, decision, 'ps-1', 'psv-1', NULL, 'ok', det, diag, meta,
  'epoch'::timestamptz + micros * interval '1 microsecond', content, prev,
  encode(hmac(convert_to(content || '|' || coalesce(prev, ''), 'UTF8'), decode($5, 'hex'), 'sha256'), 'hex'), seq
FROM linked`;

/** Insert an intact chain of `rows` rows spread round-robin over `zones` zones, then index and analyze it. */
export async function insertBulkChain(db: TempDatabase, o: BulkChainOptions): Promise<void> {
  await db.exec('CREATE EXTENSION IF NOT EXISTS pgcrypto');
  await db.exec(SQL, [o.rows, o.zones, o.startMicros.toString(), o.stepMicros, o.keyHex]);
  // Indexing after the load is faster than maintaining the index row by row.
  await addChainIndex(db);
  // Fresh statistics, as autovacuum keeps them on a live Caracal, so the keyset pages use the index.
  await db.exec('ANALYZE public.audit_events');
}
