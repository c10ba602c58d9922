// audit.ingest_alerts: durable evidence of replay tampering (caracal-ops.md §5.2, §15.2.11). When a replayed audit
// event has the same (id, occurred_at) as a stored row but other content, Audit dead-letters it (tamper_on_replay)
// and writes an audit_ingest_alerts row of kind content_mismatch_on_replay. The DLQ entry can be deleted; this row
// stays, so it is the record to read. Nothing removes old rows, so only recent ones fail (a check that fails on
// "any ever" would block every later recovery); older ones are shown as a warning to confirm they were handled.
import type { CheckDefinition } from '../types.ts';
import { withPostgres, queryTable } from './shared.ts';

/** Alerts newer than this are treated as part of the current incident. */
export const RECENT_HOURS = 24;
const SHOWN = 10;

const SQL = `
  SELECT id::text AS id, event_id, zone_id, kind, COALESCE(detail, '') AS detail, observed_at,
    observed_at > now() - interval '${RECENT_HOURS} hours' AS recent
  FROM public.audit_ingest_alerts
  ORDER BY observed_at DESC, id DESC
  LIMIT 1000`;

type Row = { id: string; event_id: string; zone_id: string; kind: string; detail: string; observed_at: Date; recent: boolean };

export const auditIngestAlerts: CheckDefinition = {
  id: 'audit.ingest_alerts',
  title: 'Audit ingest alerts (replay tampering)',
  gates: ['safety'],
  reads: 'public.audit_ingest_alerts: content_mismatch_on_replay rows, newest first',
  run: (ctx) =>
    withPostgres(ctx, async (pg) => {
      const rows = await queryTable<Row>(pg, SQL, 'public.audit_ingest_alerts', 'replay-tamper alerts');
      if (!Array.isArray(rows)) return rows;
      const recent = rows.filter((r) => r.recent);
      const metrics = { alerts: rows.length, recent: recent.length };
      const evidence = rows
        .slice(0, SHOWN)
        .map(
          (r) =>
            `${new Date(r.observed_at).toISOString()} ${r.kind} event_id=${r.event_id} zone_id=${r.zone_id}${r.detail ? ` ${r.detail.slice(0, 120)}` : ''}`,
        );
      if (rows.length > SHOWN) evidence.push(`(${rows.length - SHOWN} more not shown)`);
      if (rows.length === 0)
        return {
          status: 'pass',
          summary: 'audit_ingest_alerts is empty: no replayed event differed from its stored row.',
          metrics,
          evidence: ['audit_ingest_alerts: 0 rows'],
        };
      const remedy =
        'A replayed audit event carried other content than the stored row with the same id: the producer or the stream ' +
        'was tampered with, or a replay file was altered. Treat it as a security incident: keep the DLQ entries ' +
        '(tamper_on_replay) and these rows, compare the event with its stored row, and do not resume until explained.';
      if (recent.length > 0) {
        return {
          status: 'fail',
          summary: `${recent.length} replay-tamper alert(s) in audit_ingest_alerts in the last ${RECENT_HOURS} h (${rows.length} in all).`,
          metrics,
          evidence,
          remedy,
          matrix: ['audit'],
        };
      }
      return {
        status: 'warn',
        summary: `${rows.length} older replay-tamper alert(s) in audit_ingest_alerts, none in the last ${RECENT_HOURS} h: confirm they were handled.`,
        metrics,
        evidence,
        remedy,
        matrix: ['audit'],
      };
    }),
};
