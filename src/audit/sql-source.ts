// Audit rows straight from Caracal's Postgres, zone by zone, with keyset pagination (no server-side cursor:
// PostgresTarget is a pool, so consecutive statements may run on different connections).
import type { PostgresTarget } from '../checks/targets/postgres.ts';
import type { AuditRow } from './chain.ts';
import type { AuditSource, Unchained } from './verify.ts';

// Rows per page. Throughput is flat from 500 to 10,000 (per-row costs dominate), while peak RSS grows with
// the page: two pages are alive at once (one hashed, one prefetched). bench/deep-verify.ts measures both.
export const DEFAULT_BATCH_SIZE = 1000;

// Every column exactly as Caracal's sweep hashes it:
// - the JSON columns as `::text`, which is the jsonb rendering Caracal hashed at insert time;
// - occurred_at as an exact integer of Unix microseconds. extract(epoch ...) is numeric on PostgreSQL >= 14,
//   so × 1e6 is exact by construction, not by float rounding luck (a float8 epoch loses µs after ~2242);
// - COALESCE where Caracal's own sweep does, because these chain columns were added nullable by a migration.
export const COLUMNS = `
  id, zone_id, event_type, request_id, decision, policy_set_id, policy_set_version_id, manifest_sha,
  evaluation_status, determining_policies_json::text AS determining_policies_json,
  diagnostics_json::text AS diagnostics_json, metadata_json::text AS metadata_json,
  (extract(epoch FROM occurred_at) * 1000000)::bigint::text AS occurred_at_micros,
  COALESCE(content_sha256, '') AS content_sha256, prev_content_sha256,
  COALESCE(chain_hmac, '') AS chain_hmac, chain_seq::text AS chain_seq`;

// Keyset on (chain_seq, id), not chain_seq alone: two rows sharing a chain_seq (a forged insert) must not be
// skipped when they straddle a page boundary. `chain_seq >= $2` gives the planner the index bound on
// Caracal's audit_events_zone_chain (zone_id, chain_seq DESC) index; the row comparison drops what was seen.
// ORDER BY names the table's columns (e.*): a bare `chain_seq` would sort by the ::text output column of that
// name, putting 10 before 2.
const FIRST_PAGE_SQL = `SELECT ${COLUMNS} FROM public.audit_events e
  WHERE e.zone_id = $1 AND e.chain_seq IS NOT NULL ORDER BY e.chain_seq, e.id LIMIT $2`;
const NEXT_PAGE_SQL = `SELECT ${COLUMNS} FROM public.audit_events e
  WHERE e.zone_id = $1 AND e.chain_seq >= $2 AND (e.chain_seq, e.id) > ($2, $3) ORDER BY e.chain_seq, e.id LIMIT $4`;
export const ZONES_SQL = 'SELECT DISTINCT zone_id FROM public.audit_events ORDER BY zone_id';
// Rows outside every chain (chain_seq NULL): the keyset pages above never see them.
export const UNCHAINED_SQL = `SELECT count(*)::int AS count, min(id::text) AS first_id
  FROM public.audit_events WHERE zone_id = $1 AND chain_seq IS NULL`;

export async function unchainedRows(pg: Pick<PostgresTarget, 'query'>, zoneId: string): Promise<Unchained> {
  const [row] = await pg.query<{ count: number; first_id: string | null }>(UNCHAINED_SQL, [zoneId]);
  return { count: row?.count ?? 0, firstId: row?.first_id ?? null };
}

type Wire = Omit<AuditRow, 'occurredAtMicros' | 'chain_seq'> & { occurred_at_micros: string; chain_seq: string };

function toRow(r: Wire): AuditRow {
  return {
    id: r.id,
    zone_id: r.zone_id,
    event_type: r.event_type,
    request_id: r.request_id,
    decision: r.decision,
    policy_set_id: r.policy_set_id,
    policy_set_version_id: r.policy_set_version_id,
    manifest_sha: r.manifest_sha,
    evaluation_status: r.evaluation_status,
    determining_policies_json: r.determining_policies_json,
    diagnostics_json: r.diagnostics_json,
    metadata_json: r.metadata_json,
    // bigint travels as text: a JS number is exact only to 2^53, and micros since 1970 are already ~2^50.
    occurredAtMicros: BigInt(r.occurred_at_micros),
    content_sha256: r.content_sha256,
    prev_content_sha256: r.prev_content_sha256,
    chain_hmac: r.chain_hmac,
    chain_seq: BigInt(r.chain_seq),
  };
}

export interface SqlSourceOptions {
  batchSize?: number;
}

/** An AuditSource over audit_events through the bot's read-only Postgres target (caracal.zone_id='*' set there). */
export function sqlAuditSource(pg: Pick<PostgresTarget, 'query'>, options: SqlSourceOptions = {}): AuditSource {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;

  async function page(zoneId: string, after: AuditRow | undefined): Promise<AuditRow[]> {
    const rows = after
      ? await pg.query<Wire>(NEXT_PAGE_SQL, [zoneId, after.chain_seq.toString(), after.id, batchSize])
      : await pg.query<Wire>(FIRST_PAGE_SQL, [zoneId, batchSize]);
    return rows.map(toRow);
  }

  /** Start a page fetch now and mark it handled, so a rejection while the caller is busy cannot go unhandled. */
  function prefetch(zoneId: string, after: AuditRow | undefined): Promise<AuditRow[]> {
    const p = page(zoneId, after);
    p.catch(() => undefined);
    return p;
  }

  return {
    async zones() {
      return (await pg.query<{ zone_id: string }>(ZONES_SQL)).map((r) => r.zone_id);
    },
    unchained: (zoneId) => unchainedRows(pg, zoneId),
    async *batches(zoneId, signal) {
      let next = prefetch(zoneId, undefined);
      for (;;) {
        const rows = await next;
        if (rows.length === 0) return;
        signal?.throwIfAborted();
        // Ask for the next page before handing this one over, so Postgres reads while the caller hashes.
        // At most two pages are alive at once: memory stays flat whatever the chain's length.
        next = rows.length < batchSize ? Promise.resolve([]) : prefetch(zoneId, rows[rows.length - 1]);
        yield rows;
      }
    },
  };
}
