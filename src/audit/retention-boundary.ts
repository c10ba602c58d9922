// Caracal's retention drops whole monthly partitions of audit_events (caracal-ops.md §5.4), while each zone's
// chain follows ingestion order. Rows that arrived late (an old occurred_at, a later chain position) are dropped
// with their month, so rows of the oldest retained month link to rows that no longer exist. A zone whose every
// broken row is such a link (no content or HMAC mismatch anywhere, the linked row absent, the row in the oldest
// retained month) is at the retention boundary: that is the only explanation, and it is not tampering.
import type { PostgresTarget } from '../checks/targets/postgres.ts';
import type { ZoneReport } from './report.ts';

const ONLY_LINKS = new Set(['broken_link', 'seq_gap']);

// Link breaks in chain order, and how many of them point at a row that is gone and sit in the oldest month.
const SQL = `
  WITH oldest AS (SELECT date_trunc('month', min(occurred_at)) AS m FROM public.audit_events),
  z AS (SELECT occurred_at, content_sha256, prev_content_sha256,
          lag(content_sha256) OVER (ORDER BY chain_seq, id) AS before
        FROM public.audit_events WHERE zone_id = $1),
  breaks AS (SELECT * FROM z WHERE before IS NOT NULL AND prev_content_sha256 IS DISTINCT FROM before)
  SELECT to_char((SELECT m FROM oldest), 'YYYY-MM') AS month, count(*)::int AS breaks,
    count(*) FILTER (WHERE occurred_at < (SELECT m FROM oldest) + interval '1 month'
      AND NOT EXISTS (SELECT 1 FROM z AS other WHERE other.content_sha256 = breaks.prev_content_sha256))::int AS explained
  FROM breaks`;

/** The oldest retained month when retention alone explains this zone's breaks; undefined otherwise. */
export async function retentionBoundary(pg: PostgresTarget, zone: ZoneReport): Promise<string | undefined> {
  if (!zone.firstBreak || zone.firstSeq === '1' || zone.firstSeq === null) return undefined;
  if (!zone.kindsSeen.every((k) => ONLY_LINKS.has(k))) return undefined;
  const [row] = await pg.query<{ month: string | null; breaks: number; explained: number }>(SQL, [zone.zoneId]);
  if (!row || row.month === null) return undefined;
  // Every broken row must be one of these explained links: a row with only a sequence gap is not.
  return row.breaks === zone.brokenRows && row.explained === row.breaks ? row.month : undefined;
}
