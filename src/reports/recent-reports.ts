// The reports this replica started or joined a moment ago, by channel and environment. A burst of `/caracal status`
// is answered by the first report (issue 18); with this, only the first request of the burst on each replica asks
// the database which report that is (a transaction under a per-channel lock), and the rest are answered from memory.
// The database stays the truth across replicas: memory only ever knows a report the database also holds, and
// forgets it when the same window ends. Requests that arrive while this replica asks are answered by that one answer:
// the first instant of a burst costs one transaction per channel, not one per request queued on the channel's lock.
import type { StoredReport } from '../domain/report.ts';

export interface RecentReports {
  /** The report of this channel and environment that started within the window, if this replica knows one. */
  find(channelId: string, environment: string | undefined): StoredReport | undefined;
  /**
   * The channel's report, from `ask` (the database: a report of a moment ago, or the one it saved for this request),
   * asked once at a time per channel and environment: a call made while another asks gets that call's answer. The
   * answer is what `find` knows from then on.
   */
  settle(channelId: string, environment: string | undefined, ask: () => Promise<StoredReport>): Promise<StoredReport>;
}

export function recentReports(windowMs: number, now: () => number): RecentReports {
  const byKey = new Map<string, StoredReport>();
  const asking = new Map<string, Promise<StoredReport>>();
  const key = (channelId: string, environment: string | undefined) => `${channelId}\u0000${environment ?? ''}`;
  return {
    find(channelId, environment) {
      const k = key(channelId, environment);
      const report = byKey.get(k);
      if (report && now() - Date.parse(report.view.startedAt) < windowMs) return report;
      byKey.delete(k);
      return undefined;
    },
    async settle(channelId, environment, ask) {
      const k = key(channelId, environment);
      const pending = asking.get(k);
      if (pending) return pending;
      const answer = ask();
      asking.set(k, answer);
      try {
        const report = await answer;
        byKey.set(k, report);
        return report;
      } finally {
        asking.delete(k);
      }
    },
  };
}
