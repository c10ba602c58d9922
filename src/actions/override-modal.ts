// Submitting the Override modal: the reason is checked locally and the view acked at once (no network call
// before ack: Slack gives 3 s, and an approver lookup or a busy database could take longer). The request is
// then recorded; the service enforces the approver rule again, and a refusal reaches the requester ephemerally.
import type { App } from '@slack/bolt';
import { randomUUID } from 'node:crypto';
import { BLOCK, ELEMENT, VIEW } from '../blocks/ids.ts';
import { decodePayload, gateButtonPayload } from '../blocks/payloads.ts';
import { UserFacingError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { RecoveryService } from '../recovery/service.ts';

export function registerOverrideModal(app: App, deps: { service: RecoveryService; logger: Logger; metrics: Metrics }): void {
  app.view(VIEW.overrideModal, async ({ ack, body, view, client }) => {
    const reason = view.state.values[BLOCK.overrideReason]?.[ELEMENT.overrideReasonInput]?.value?.trim() ?? '';
    if (reason.length < 10) {
      await ack({ response_action: 'errors', errors: { [BLOCK.overrideReason]: 'Write at least a sentence: it goes into the incident log.' } });
      return;
    }
    let payload;
    try {
      payload = decodePayload(gateButtonPayload, view.private_metadata);
    } catch (err) {
      await ack({ response_action: 'errors', errors: { [BLOCK.overrideReason]: err instanceof UserFacingError ? err.message : 'This form is not valid any more.' } });
      return;
    }
    await ack();
    deps.metrics.actions.inc({ action: VIEW.overrideModal });
    const userId = body.user.id;
    const log = deps.logger.child({ view: VIEW.overrideModal, userId, runId: payload.runId });
    let answer: string | undefined;
    try {
      const result = await deps.service.act(payload.runId, payload.gate, { type: 'request_override', reason, overrideId: randomUUID().replace(/-/g, '').slice(0, 20) }, userId);
      if (!result.ok) answer = `Override not requested: ${result.reason}`;
    } catch (err) {
      if (!(err instanceof UserFacingError)) log.error({ err }, 'override request failed');
      answer = err instanceof UserFacingError ? `Override not requested: ${err.message}` : 'Override not requested: something went wrong on my side; check the dashboard before trying again.';
    }
    if (!answer) return;
    const run = await deps.service.load(payload.runId).catch(() => undefined);
    if (!run) return;
    await client.chat.postEphemeral({ channel: run.channelId, user: userId, text: answer }).catch((err: unknown) => log.warn({ err }, 'could not tell the requester'));
  });
}
