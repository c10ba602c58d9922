// A status report as data: what was planned, what each check found, who asked. Stored as JSON (store/reports.ts) with
// its schema version, read back through the schema; the message is rendered from it (blocks/status-report.ts).
import { z } from 'zod';
import { checkResultSchema } from './check-result.ts';

export const REPORT_SCHEMA_VERSION = 1;

export const statusReportSchema = z.object({
  /** Absent in reports stored before versions were written: those are version 1. */
  v: z.literal(REPORT_SCHEMA_VERSION).optional(),
  reportId: z.string(),
  requestedBy: z.string(),
  startedAt: z.string(),
  planned: z.array(z.object({ id: z.string(), title: z.string() })).readonly(),
  results: z.array(checkResultSchema).readonly(),
  sandbox: z.boolean(),
  /** The Caracal deployment checked (config `environments`); older reports have none. */
  environment: z.string().optional(),
  /** Results joined from an earlier run (single-flight, issue 18): when the earliest of them started. */
  sharedWith: z.string().optional(),
});
export type StatusReport = z.infer<typeof statusReportSchema>;

export interface StoredReport {
  view: StatusReport;
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
