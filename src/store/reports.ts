// Status reports in the state database, so Re-run and Details work on any replica and after a restart.
import type { StatusReportView } from '../blocks/status-report.ts';
import type { ReportStore, StoredReport } from '../reports/report-store.ts';
import type { Queryable } from './db.ts';

type Row = { id: string; channel_id: string; message_ts: string | null; view: StatusReportView; complete: boolean; shown: boolean };

const toReport = (row: Row): StoredReport => ({
  view: row.view, channelId: row.channel_id, complete: row.complete, shown: row.shown, ...(row.message_ts ? { messageTs: row.message_ts } : {}),
});

export function dbReportStore(q: Queryable): ReportStore {
  return {
    async save(report) {
      await q.query(
        `INSERT INTO reports (id, channel_id, message_ts, view, complete, shown, environment) VALUES ($1, $2, $3, $4::jsonb, $5, $6, COALESCE($7, 'default'))
         ON CONFLICT (id) DO UPDATE SET message_ts = EXCLUDED.message_ts, view = EXCLUDED.view, complete = EXCLUDED.complete, shown = EXCLUDED.shown`,
        [report.view.reportId, report.channelId, report.messageTs ?? null, JSON.stringify(report.view), report.complete, report.shown ?? true, report.view.environment ?? null],
      );
    },
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
