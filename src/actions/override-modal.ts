// Submitting the Override modal. No network call before ack() (Slack gives 3 s): when the approver rule can be
// decided without asking Slack (configured users, a fresh user-group cache), the request is saved before the ack,
// so a replica killed right after acking loses nothing and a refusal shows in the modal; otherwise the view is
// acked at once, the request recorded after, and a refusal reaches the requester ephemerally.
import type { App, ViewSubmitAction } from '@slack/bolt';
import { randomUUID } from 'node:crypto';
import { BLOCK, ELEMENT, VIEW } from '../blocks/ids.ts';
import { decodePayload, gateButtonPayload } from '../blocks/payloads.ts';
import { UserFacingError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { RecoveryService } from '../recovery/service.ts';
import type { ViewArgs } from '../slack/listeners.ts';
import { slackCall } from '../slack/slack-call.ts';

export interface OverrideModalDeps {
  service: Pick<RecoveryService, 'act' | 'load'>;
  logger: Logger;
  metrics: Metrics;
  /** Whether the user is an approver when that is known without asking Slack; undefined: it needs a look-up. */
  knownApprover?: (userId: string) => boolean | undefined;
}

export const handleOverrideSubmit =
  (deps: OverrideModalDeps) =>
  async ({ ack, body, view, client }: ViewArgs): Promise<void> => {
    const reason = view.state.values[BLOCK.overrideReason]?.[ELEMENT.overrideReasonInput]?.value?.trim() ?? '';
    if (reason.length < 10) {
      await ack({
        response_action: 'errors',
        errors: { [BLOCK.overrideReason]: 'Write at least a sentence: it goes into the incident log.' },
      });
      return;
    }
    let payload;
    try {
      payload = decodePayload(gateButtonPayload, view.private_metadata);
    } catch (err) {
      await ack({
        response_action: 'errors',
        errors: { [BLOCK.overrideReason]: err instanceof UserFacingError ? err.message : 'This form is not valid any more.' },
      });
      return;
    }
    const userId = body.user.id;
    const overrideId = randomUUID().replace(/-/g, '').slice(0, 20);
    if (deps.knownApprover?.(userId) !== undefined) {
      // Save before ack: only the state database is involved.
      const result = await deps.service.act(payload.runId, payload.gate, { type: 'request_override', reason, overrideId }, userId);
      deps.metrics.actions.inc({ action: VIEW.overrideModal });
      await ack(result.ok ? undefined : { response_action: 'errors', errors: { [BLOCK.overrideReason]: result.reason } });
      return;
    }
    await ack();
    deps.metrics.actions.inc({ action: VIEW.overrideModal });
    const log = deps.logger.child({ view: VIEW.overrideModal, userId, runId: payload.runId });
    let answer: string | undefined;
    try {
      const result = await deps.service.act(payload.runId, payload.gate, { type: 'request_override', reason, overrideId }, userId);
      if (!result.ok) answer = `Override not requested: ${result.reason}`;
    } catch (err) {
      if (!(err instanceof UserFacingError)) log.error({ err }, 'override request failed');
      answer =
        err instanceof UserFacingError
          ? `Override not requested: ${err.message}`
          : 'Override not requested: something went wrong on my side; check the dashboard before trying again.';
    }
    if (!answer) return;
    const run = await deps.service.load(payload.runId).catch(() => undefined);
    if (!run) return;
    await slackCall(deps.metrics, 'chat.postEphemeral', () =>
      client.chat.postEphemeral({ channel: run.channelId, user: userId, text: answer }),
    ).catch((err: unknown) => log.warn({ err }, 'could not tell the requester'));
  };

export function registerOverrideModal(app: App, deps: OverrideModalDeps): void {
  app.view<ViewSubmitAction>(VIEW.overrideModal, handleOverrideSubmit(deps));
}
