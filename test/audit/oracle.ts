// The test oracle: a deliberately simple verifier, written from caracal-ops.md §5.3 and §15.2.2 without any of
// src/audit. Rows are decoded objects, hashes come from caracal-writer.ts (explicit byte buffers), and each rule
// is one line. Slow and memory-hungry by design; src/audit/verify.ts must report exactly what this reports.
import type pg from 'pg';
import { NO_KEY_NOTE, type BreakKind, type VerifyReport, type ZoneReport } from '../../src/audit/report.ts';
import { referenceContentHash, referenceHmac } from './caracal-writer.ts';

/** One audit_events row; the chain columns may be NULL (Caracal declares them nullable). */
export interface OracleRow {
  id: string;
  zone_id: string;
  event_type: string;
  request_id: string | null;
  decision: string | null;
  policy_set_id: string | null;
  policy_set_version_id: string | null;
  manifest_sha: string | null;
  evaluation_status: string | null;
  determining_policies_json: string | null;
  diagnostics_json: string | null;
  metadata_json: string | null;
  occurredAtMicros: bigint;
  content_sha256: string | null;
  prev_content_sha256: string | null;
  chain_hmac: string | null;
  chain_seq: bigint | null;
}

const ORDER: BreakKind[] = ['content_mismatch', 'broken_link', 'hmac_mismatch', 'seq_gap', 'missing_chain'];

/** The nine text columns the content hash covers, in the order Caracal hashes them (and the table holds them). */
export function textFieldsOf(r: OracleRow): (string | null)[] {
  return [
    r.id,
    r.zone_id,
    r.event_type,
    r.request_id,
    r.decision,
    r.policy_set_id,
    r.policy_set_version_id,
    r.manifest_sha,
    r.evaluation_status,
  ];
}

/** The three JSON columns the content hash covers, after the text ones. */
export function jsonFieldsOf(r: OracleRow): (string | null)[] {
  return [r.determining_policies_json, r.diagnostics_json, r.metadata_json];
}

function contentOf(r: OracleRow): string {
  return referenceContentHash(textFieldsOf(r), jsonFieldsOf(r), r.occurredAtMicros * 1000n);
}

/**
 * One zone's report from its rows in chain order (chain_seq, then id), the rows without chain_seq after them
 * ordered by id. Caracal's sweep COALESCEs content_sha256 and chain_hmac to ''; a NULL link stays NULL.
 */
export function oracleZone(zoneId: string, rows: readonly OracleRow[], keyHex: string | undefined): ZoneReport {
  const chained = rows.filter((r) => r.chain_seq !== null);
  const unchained = rows.filter((r) => r.chain_seq === null);
  const report: ZoneReport = {
    zoneId,
    rowsChecked: chained.length,
    brokenRows: 0,
    firstBreak: null,
    firstSeq: null,
    unchainedRows: unchained.length,
    kindsSeen: [],
  };
  chained.forEach((row, i) => {
    const before = chained[i - 1];
    const seq = row.chain_seq as bigint;
    const found = new Set<BreakKind>();
    if (contentOf(row) !== (row.content_sha256 ?? '')) found.add('content_mismatch');
    // A zone's oldest row: NULL link exactly at chain_seq 1; after retention dropped older rows it must point somewhere.
    const linked = before ? row.prev_content_sha256 === (before.content_sha256 ?? '') : (seq === 1n) === (row.prev_content_sha256 === null);
    if (!linked) found.add('broken_link');
    if (keyHex && referenceHmac(keyHex, row.content_sha256 ?? '', row.prev_content_sha256 ?? '') !== (row.chain_hmac ?? ''))
      found.add('hmac_mismatch');
    if (before ? seq !== (before.chain_seq as bigint) + 1n : seq < 1n) found.add('seq_gap');
    const kinds = ORDER.filter((k) => found.has(k));
    if (kinds.length === 0) return;
    report.brokenRows++;
    for (const k of kinds) if (!report.kindsSeen.includes(k)) report.kindsSeen.push(k);
    report.firstBreak ??= { id: row.id, chainSeq: seq.toString(), kind: kinds[0], kinds };
  });
  report.firstSeq = chained[0]?.chain_seq?.toString() ?? null;
  if (unchained.length > 0) {
    // Caracal sorts them first (chain_seq 0): the zone's first break, whatever the chain holds.
    report.brokenRows += unchained.length;
    report.firstBreak = { id: unchained[0].id, chainSeq: 'NULL', kind: 'missing_chain', kinds: ['missing_chain'] };
    if (!report.kindsSeen.includes('missing_chain')) report.kindsSeen.push('missing_chain');
  }
  return report;
}

const ROWS_SQL = `SELECT id, zone_id, event_type, request_id, decision, policy_set_id, policy_set_version_id, manifest_sha,
  evaluation_status, determining_policies_json::text AS dj, diagnostics_json::text AS gj, metadata_json::text AS mj,
  (extract(epoch FROM occurred_at) * 1000000)::bigint::text AS micros, content_sha256, prev_content_sha256, chain_hmac,
  chain_seq::text AS seq
  FROM public.audit_events WHERE zone_id = $1 ORDER BY chain_seq NULLS LAST, id`;

type Wire = Record<string, string | null>;

function rowOf(w: Wire): OracleRow {
  return {
    id: w.id ?? '',
    zone_id: w.zone_id ?? '',
    event_type: w.event_type ?? '',
    request_id: w.request_id,
    decision: w.decision,
    policy_set_id: w.policy_set_id,
    policy_set_version_id: w.policy_set_version_id,
    manifest_sha: w.manifest_sha,
    evaluation_status: w.evaluation_status,
    determining_policies_json: w.dj,
    diagnostics_json: w.gj,
    metadata_json: w.mj,
    occurredAtMicros: BigInt(w.micros ?? '0'),
    content_sha256: w.content_sha256,
    prev_content_sha256: w.prev_content_sha256,
    chain_hmac: w.chain_hmac,
    chain_seq: w.seq === null ? null : BigInt(w.seq),
  };
}

/** The oracle over a database: zone by zone with plain queries, every row of a zone in memory. */
export async function oracleVerify(
  db: { exec(sql: string, params?: unknown[]): Promise<pg.QueryResult> },
  keyHex: string | undefined,
): Promise<VerifyReport> {
  const zones: ZoneReport[] = [];
  for (const { zone_id } of (await db.exec('SELECT DISTINCT zone_id FROM public.audit_events ORDER BY zone_id')).rows as {
    zone_id: string;
  }[]) {
    const rows = ((await db.exec(ROWS_SQL, [zone_id])).rows as Wire[]).map(rowOf);
    zones.push(oracleZone(zone_id, rows, keyHex));
  }
  return {
    ok: zones.every((z) => z.firstBreak === null),
    zones,
    rowsChecked: zones.reduce((n, z) => n + z.rowsChecked, 0),
    hmacChecked: keyHex !== undefined,
    notes: keyHex === undefined ? [NO_KEY_NOTE] : [],
    durationMs: 0,
  };
}

/** content_sha256 recomputed from the stored row: the forgery of an attacker who knows the recipe but not the key. */
export async function recomputedContent(
  db: { exec(sql: string, params?: unknown[]): Promise<pg.QueryResult> },
  id: string,
): Promise<string> {
  const zone = (await db.exec('SELECT zone_id FROM public.audit_events WHERE id = $1', [id])).rows[0] as { zone_id: string };
  const row = ((await db.exec(ROWS_SQL, [zone.zone_id])).rows as Wire[]).map(rowOf).find((r) => r.id === id);
  if (!row) throw new Error(`no row ${id}`);
  return contentOf(row);
}
