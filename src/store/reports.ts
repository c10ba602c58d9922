// Status reports in the state database, so Re-run and Details work on any replica and after a restart.
// The report is stored with its schema version and read back through its schema (domain/report.ts).
import { REPORT_SCHEMA_VERSION, statusReportSchema, type ReportStore, type StoredReport } from '../domain/report.ts';
import type { Db, Queryable } from './db.ts';

type Row = { id: string; channel_id: string; message_ts: string | null; view: unknown; complete: boolean; shown: boolean };

function reportOf(row: Row): StoredReport['view'] {
  const parsed = statusReportSchema.safeParse(row.view);
  if (!parsed.success)
    throw new Error(`stored report ${row.id} does not match report schema version ${REPORT_SCHEMA_VERSION}: ${parsed.error.message}`);
  const { v: _v, ...report } = parsed.data;
  return report;
}

const toReport = (row: Row): StoredReport => ({
  view: reportOf(row),
  channelId: row.channel_id,
  complete: row.complete,
  shown: row.shown,
  ...(row.message_ts ? { messageTs: row.message_ts } : {}),
});

async function saveReport(q: Queryable, report: StoredReport): Promise<void> {
  await q.query(
    `INSERT INTO reports (id, channel_id, message_ts, view, complete, shown, environment) VALUES ($1, $2, $3, $4::jsonb, $5, $6, COALESCE($7, 'default'))
     ON CONFLICT (id) DO UPDATE SET message_ts = EXCLUDED.message_ts, view = EXCLUDED.view, complete = EXCLUDED.complete, shown = EXCLUDED.shown`,
    [
      report.view.reportId,
      report.channelId,
      report.messageTs ?? null,
      JSON.stringify({ ...report.view, v: REPORT_SCHEMA_VERSION }),
      report.complete,
      report.shown ?? true,
      report.view.environment ?? null,
    ],
  );
}

export function dbReportStore(q: Db): ReportStore {
  return {
    save: (report) => saveReport(q, report),
    async get(id): Promise<StoredReport | undefined> {
      const [row] = (await q.query<Row>('SELECT * FROM reports WHERE id = $1', [id])).rows;
      return row ? toReport(row) : undefined;
    },
    async unshown(limit) {
      const rows = await q.query<Row>(
        `SELECT * FROM reports WHERE NOT shown AND complete AND message_ts IS NOT NULL AND (next_show_at IS NULL OR next_show_at <= now()) ORDER BY created_at LIMIT $1`,
        [limit],
      );
      return rows.rows.map(toReport);
    },
    async setShown(id, shown, retryMs = 0) {
      await q.query(
        `UPDATE reports SET shown = $2, show_attempts = CASE WHEN $2 THEN show_attempts ELSE show_attempts + 1 END,
                next_show_at = CASE WHEN $2 THEN NULL ELSE now() + ($3::int * interval '1 millisecond') END WHERE id = $1`,
        [id, shown, Math.round(retryMs)],
      );
    },
    saveUnlessRecent(report, windowMs) {
      // One at a time per channel and environment (every replica): the first of a burst saves, the rest find it.
      return q.transaction(async (tx) => {
        const environment = report.view.environment ?? 'default';
        await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`report:${report.channelId}:${environment}`]);
        // Only a report of the same checks answers this one (not a troubleshooting subset).
        const [row] = (
          await tx.query<Row>(
            `SELECT * FROM reports WHERE channel_id = $1 AND environment = $2 AND created_at >= now() - ($3::int * interval '1 millisecond')
             AND view->'planned' = $4::jsonb ORDER BY created_at DESC LIMIT 1`,
            [report.channelId, environment, Math.round(windowMs), JSON.stringify(report.view.planned)],
          )
        ).rows;
        if (row) return toReport(row);
        await saveReport(tx, report);
        return undefined;
      });
    },
  };
}

/** Retention: delete reports older than `days`, `batch` at a time (index on created_at). */
export async function pruneReports(q: Queryable, days: number, batch = 5000): Promise<number> {
  const res = await q.query(
    `DELETE FROM reports WHERE id IN (SELECT id FROM reports WHERE created_at < now() - ($1::int * interval '1 day') ORDER BY created_at LIMIT $2)`,
    [days, batch],
  );
  return res.rowCount;
}
