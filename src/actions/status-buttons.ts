// Re-run and Details on a status report.
import type { App, BlockButtonAction, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { ACTION } from '../blocks/ids.ts';
import { decodePayload, reportButtonPayload } from '../blocks/payloads.ts';
import { statusDetailsMessages } from '../blocks/status-details.ts';
import { UserFacingError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { StoredReport } from '../reports/report-store.ts';
import { runStatusReport, type StatusRunDeps } from '../reports/status-run.ts';
import { answerError } from '../slack/error-handler.ts';
import { slackCall } from '../slack/slack-call.ts';

interface ButtonHandlerArgs {
  body: BlockButtonAction;
  client: WebClient;
  respond: RespondFn;
  logger: Logger;
}

async function loadReport(deps: StatusRunDeps, body: BlockButtonAction): Promise<StoredReport> {
  const { reportId } = decodePayload(reportButtonPayload, body.actions[0]?.value);
  const report = await deps.store.get(reportId);
  if (!report?.messageTs) {
    throw new UserFacingError('not_found', 'I no longer have this report (it is too old, or I was restarted). Run `/caracal status` again.');
  }
  return report;
}

export function registerStatusActions(app: App, deps: StatusRunDeps & { metrics: Metrics }): void {
  // One re-run at a time per report message, so two clicks don't interleave updates of the same message.
  const running = new Set<string>();

  const handlers: Record<string, (args: ButtonHandlerArgs) => Promise<void>> = {
    [ACTION.statusRerun]: async ({ body, client, respond }) => {
      const report = await loadReport(deps, body);
      const key = `${report.channelId}:${report.messageTs}`;
      if (running.has(key)) {
        await respond({ response_type: 'ephemeral', replace_original: false, text: 'A re-run of this report is already in progress.' });
        return;
      }
      running.add(key);
      try {
        await runStatusReport(deps, { client, channelId: report.channelId, requestedBy: body.user.id, messageTs: report.messageTs! });
      } finally {
        running.delete(key);
      }
    },
    [ACTION.statusDetails]: async ({ body, client, respond }) => {
      const report = await loadReport(deps, body);
      if (!report.complete) {
        await respond({ response_type: 'ephemeral', replace_original: false, text: 'Checks are still running; Details will be complete once they finish.' });
        return;
      }
      for (const message of statusDetailsMessages(report.view)) {
        await slackCall(deps.metrics, 'chat.postMessage', () =>
          client.chat.postMessage({ channel: report.channelId, thread_ts: report.messageTs!, text: message.text, blocks: message.blocks }),
        );
      }
    },
  };

  for (const [actionId, handler] of Object.entries(handlers)) {
    app.action<BlockButtonAction>(actionId, async ({ ack, body, client, respond }) => {
      await ack();
      deps.metrics.actions.inc({ action: actionId });
      const logger = deps.logger.child({ action: actionId, userId: body.user.id });
      try {
        await handler({ body, client, respond, logger });
      } catch (err) {
        await answerError(err, { respond, logger });
      }
    });
  }
}
