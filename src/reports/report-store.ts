// Where status reports live between the first post and later button clicks (Re-run, Details).
import type { StatusReportView } from '../blocks/status-report.ts';

export interface StoredReport {
  view: StatusReportView;
  channelId: string;
  /** The report message's ts, once posted. */
  messageTs?: string;
  complete: boolean;
  /** The final state is in Slack (false: the last update failed, the sweeper retries it). */
  shown?: boolean;
}

export interface ReportStore {
  save(report: StoredReport): Promise<void>;
  get(reportId: string): Promise<StoredReport | undefined>;
  /** Complete reports whose final update has not reached Slack and is due again. */
  unshown?(limit: number): Promise<StoredReport[]>;
  /** The final update went through (true), or failed and is retried after `retryMs`. */
  setShown?(reportId: string, shown: boolean, retryMs?: number): Promise<void>;
  /**
   * Save `report` as the channel's newest report of its environment, unless one was started there within `windowMs`:
   * then nothing is saved and that one is returned (a burst of `/caracal status` becomes one report in the channel).
   */
  saveUnlessRecent?(report: StoredReport, windowMs: number): Promise<StoredReport | undefined>;
}

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
      const recent = [...reports.values()].reverse().find((r) =>
        r.channelId === report.channelId && r.view.environment === report.view.environment && Date.parse(r.view.startedAt) >= since &&
        JSON.stringify(r.view.planned) === JSON.stringify(report.view.planned));
      if (recent) return recent;
      await this.save(report);
      return undefined;
    },
  };
}
