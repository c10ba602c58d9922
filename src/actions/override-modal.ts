// Submitting the Override modal: the reason is required; the service enforces the approver rule again.
import type { App } from '@slack/bolt';
import { randomUUID } from 'node:crypto';
import { BLOCK, ELEMENT, VIEW } from '../blocks/ids.ts';
import { decodePayload, gateButtonPayload } from '../blocks/payloads.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { RecoveryService } from '../recovery/service.ts';
import type { UserFacingError } from '../errors.ts';

export function registerOverrideModal(app: App, deps: { service: RecoveryService; logger: Logger; metrics: Metrics }): void {
  app.view(VIEW.overrideModal, async ({ ack, body, view }) => {
    const reason = view.state.values[BLOCK.overrideReason]?.[ELEMENT.overrideReasonInput]?.value?.trim() ?? '';
    if (reason.length < 10) {
      await ack({ response_action: 'errors', errors: { [BLOCK.overrideReason]: 'Write at least a sentence: it goes into the incident log.' } });
      return;
    }
    let payload;
    try {
      payload = decodePayload(gateButtonPayload, view.private_metadata);
    } catch (err) {
      await ack({ response_action: 'errors', errors: { [BLOCK.overrideReason]: (err as UserFacingError).message } });
      return;
    }
    const result = await deps.service.act(payload.runId, payload.gate, { type: 'request_override', reason, overrideId: randomUUID().replace(/-/g, '').slice(0, 20) }, body.user.id);
    deps.metrics.actions.inc({ action: VIEW.overrideModal });
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: { [BLOCK.overrideReason]: result.reason } });
      return;
    }
    await ack();
  });
}
