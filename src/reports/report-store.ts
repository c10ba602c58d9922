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
  };
}
