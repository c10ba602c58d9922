// Shows the final state of status reports whose last update did not reach Slack (a failed chat.update, a 429, a
// crash between the checks and the update): retried with backoff by any replica until Slack shows it. The update
// is idempotent (the same message, the same content), so two replicas sweeping at once do no harm.
import type { WebClient } from '@slack/web-api';
import { statusReportMessage } from '../blocks/status-report.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { classifySlackError, retryAfterMs, slackCall, slackErrorCode } from '../slack/slack-call.ts';
import type { ReportStore } from '../domain/report.ts';
import { periodicTask } from '../periodic.ts';

export function createReportSweeper(deps: { store: ReportStore; client: WebClient; metrics: Metrics; logger: Logger; everyMs?: number }) {
  const log = deps.logger.child({ component: 'report-sweeper' });

  async function sweep(): Promise<void> {
    for (const report of (await deps.store.unshown?.(20)) ?? []) {
      const msg = statusReportMessage(report.view);
      try {
        await slackCall(deps.metrics, 'chat.update', () =>
          deps.client.chat.update({ channel: report.channelId, ts: report.messageTs!, text: msg.text, blocks: msg.blocks }),
        );
        await deps.store.setShown?.(report.view.reportId, true);
        log.info({ reportId: report.view.reportId }, 'final report state shown after an earlier failure');
      } catch (err) {
        const kind = classifySlackError(err);
        // The message is gone or will never be accepted: nothing more to show there (the report stays stored).
        const giveUp = kind === 'gone' || kind === 'message';
        const wait = retryAfterMs(err) ?? (kind === 'channel' ? 60_000 : 5000);
        await deps.store.setShown?.(report.view.reportId, giveUp, wait);
        log.warn({ reportId: report.view.reportId, code: slackErrorCode(err), giveUp }, 'final report update failed again');
      }
    }
  }

  return periodicTask(sweep, { everyMs: deps.everyMs ?? 5000, onError: (err) => log.warn({ err }, 'report sweep failed') });
}
