// Re-run and Details on a status report.
import type { App, ButtonAction } from '@slack/bolt';
import { ACTION } from '../blocks/ids.ts';
import { decodePayload, reportButtonPayload } from '../blocks/payloads.ts';
import { statusDetailsMessages } from '../blocks/status-details.ts';
import { UserFacingError } from '../errors.ts';
import type { Metrics } from '../metrics.ts';
import type { StoredReport } from '../domain/report.ts';
import { runStatusReport, type StatusRunDeps } from '../reports/status-run.ts';
import { onAction, tell, type ActionArgs } from '../slack/listeners.ts';
import { slackCall } from '../slack/slack-call.ts';

/** The report a button belongs to, and the environment it acts on: the button's own, else the stored report's. */
export async function loadReport(
  deps: StatusRunDeps,
  value: string | undefined,
): Promise<StoredReport & { messageTs: string; environment: string | undefined }> {
  const payload = decodePayload(reportButtonPayload, value);
  const report = await deps.store.get(payload.reportId);
  if (!report?.messageTs) {
    throw new UserFacingError('not_found', 'I no longer have this report. Run `/caracal status` again.');
  }
  return { ...report, messageTs: report.messageTs, environment: payload.v === 2 ? payload.env : report.view.environment };
}

export type StatusActionDeps = StatusRunDeps & { metrics: Metrics };

/** `running`: one re-run at a time per report message in this process, so two clicks don't interleave updates of one message. */
export const handleStatusRerun =
  (deps: StatusActionDeps, running = new Set<string>()) =>
  async ({ body, action, client, respond }: ActionArgs<ButtonAction>): Promise<void> => {
    const report = await loadReport(deps, action.value);
    const key = `${report.channelId}:${report.messageTs}`;
    if (running.has(key)) return tell(respond, 'A re-run of this report is already in progress.');
    running.add(key);
    try {
      // The same environment as the report being re-run.
      const { environment } = report;
      await runStatusReport(deps, {
        client,
        channelId: report.channelId,
        requestedBy: body.user.id,
        messageTs: report.messageTs,
        ...(environment ? { environment } : {}),
      });
    } finally {
      running.delete(key);
    }
  };

export const handleStatusDetails =
  (deps: StatusActionDeps) =>
  async ({ body, action, client, respond }: ActionArgs<ButtonAction>): Promise<void> => {
    const report = await loadReport(deps, action.value);
    if (!report.complete) return tell(respond, 'Checks are still running; Details will be complete once they finish.');
    await deps.limits?.take('checks', body.user.id, report.channelId);
    for (const message of statusDetailsMessages({ ...report.view, ...(report.environment ? { environment: report.environment } : {}) })) {
      await slackCall(deps.metrics, 'chat.postMessage', () =>
        client.chat.postMessage({ channel: report.channelId, thread_ts: report.messageTs, text: message.text, blocks: message.blocks }),
      );
    }
  };

export function registerStatusActions(app: App, deps: StatusActionDeps): void {
  onAction(app, ACTION.statusRerun, deps, handleStatusRerun(deps));

  onAction(app, ACTION.statusDetails, deps, handleStatusDetails(deps));
}
