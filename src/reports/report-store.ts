// The in-memory report store (sandbox, CLI and tests); the bot's is store/reports.ts. The port is in domain/report.ts.
import type { ReportStore, StoredReport } from '../domain/report.ts';

/** Bounded in-memory store: the oldest reports are forgotten first. */
export function memoryReportStore(limit = 500): ReportStore {
  const reports = new Map<string, StoredReport>();
  return {
    save(report) {
      reports.delete(report.view.reportId);
      reports.set(report.view.reportId, report);
      while (reports.size > limit) reports.delete(reports.keys().next().value as string);
      return Promise.resolve();
    },
    get: (id) => Promise.resolve(reports.get(id)),
    async saveUnlessRecent(report, windowMs) {
      const since = Date.parse(report.view.startedAt) - windowMs;
      const recent = [...reports.values()]
        .reverse()
        .find(
          (r) =>
            r.channelId === report.channelId &&
            r.view.environment === report.view.environment &&
            Date.parse(r.view.startedAt) >= since &&
            JSON.stringify(r.view.planned) === JSON.stringify(report.view.planned),
        );
      if (recent) return recent;
      await this.save(report);
      return undefined;
    },
  };
}
