// "Acknowledge finding…" on Resume: an approver opens a modal and writes why it is safe to resume with the deep
// verification's finding; the machine records it (`finding_acknowledged`) and Resume waits for two of them.
// As with the override modal, the acknowledgement is saved before the ack when no Slack lookup is needed.
import type { App, ButtonAction, ViewSubmitAction } from '@slack/bolt';
import { findingAckModal } from '../blocks/finding-ack.ts';
import { ACTION, BLOCK, ELEMENT, VIEW } from '../blocks/ids.ts';
import { decodePayload, findingAckPayload } from '../blocks/payloads.ts';
import { UserFacingError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { unacknowledgedFindings } from '../recovery/machine.ts';
import { clickBelongsToRun, NOT_THIS_CHANNELS_RUN, type RecoveryService } from '../recovery/service.ts';
import { onAction, tell, type ActionArgs, type ViewArgs } from '../slack/listeners.ts';
import { slackCall } from '../slack/slack-call.ts';
import { originOf } from './gate-buttons.ts';

export interface FindingAckDeps {
  service: RecoveryService;
  isApprover(userId: string): Promise<boolean>;
  knownApprover?: (userId: string) => boolean | undefined;
  sandbox: boolean;
  logger: Logger;
  metrics: Metrics;
}

export const handleFindingAckOpen =
  (deps: FindingAckDeps) =>
  async ({ body, action, client, respond }: ActionArgs<ButtonAction>): Promise<void> => {
    const payload = decodePayload(findingAckPayload, action.value);
    const run = await deps.service.load(payload.runId);
    if (!run || !clickBelongsToRun(run, originOf(body)))
      return tell(respond, run ? NOT_THIS_CHANNELS_RUN : 'This recovery run no longer exists.');
    // Checked again on submit; asking first spares a non-approver from writing a reason for nothing.
    if (!(await deps.isApprover(body.user.id))) return tell(respond, 'Only configured approvers can acknowledge a finding.');
    const finding = unacknowledgedFindings(run) ?? 'the deep verification finding (already acknowledged by enough approvers)';
    await slackCall(deps.metrics, 'views.open', () =>
      client.views.open({ trigger_id: body.trigger_id, view: findingAckModal(payload, finding, deps.sandbox) }),
    );
  };

export const handleFindingAckSubmit =
  (deps: FindingAckDeps) =>
  async ({ ack, body, view, client }: ViewArgs): Promise<void> => {
    const reason = view.state.values[BLOCK.findingAckReason]?.[ELEMENT.findingAckReasonInput]?.value?.trim() ?? '';
    if (reason.length < 10) {
      await ack({
        response_action: 'errors',
        errors: { [BLOCK.findingAckReason]: 'Write at least a sentence: it goes into the incident log.' },
      });
      return;
    }
    let payload;
    try {
      payload = decodePayload(findingAckPayload, view.private_metadata);
    } catch (err) {
      await ack({
        response_action: 'errors',
        errors: { [BLOCK.findingAckReason]: err instanceof UserFacingError ? err.message : 'This form is not valid any more.' },
      });
      return;
    }
    const userId = body.user.id;
    const command = { type: 'acknowledge_finding' as const, verificationEventId: payload.verificationEventId, reason };
    deps.metrics.actions.inc({ action: VIEW.findingAckModal });
    if (deps.knownApprover?.(userId) !== undefined) {
      const result = await deps.service.act(payload.runId, 'resume', command, userId);
      await ack(result.ok ? undefined : { response_action: 'errors', errors: { [BLOCK.findingAckReason]: result.reason } });
      return;
    }
    await ack();
    const result = await deps.service.act(payload.runId, 'resume', command, userId);
    if (result.ok) return;
    const run = await deps.service.load(payload.runId).catch(() => undefined);
    if (!run) return;
    await slackCall(deps.metrics, 'chat.postEphemeral', () =>
      client.chat.postEphemeral({ channel: run.channelId, user: userId, text: `Not acknowledged: ${result.reason}` }),
    ).catch((err: unknown) => deps.logger.warn({ err }, 'could not tell the approver'));
  };

export function registerFindingAck(app: App, deps: FindingAckDeps): void {
  onAction(app, ACTION.findingAcknowledge, deps, handleFindingAckOpen(deps));
  app.view<ViewSubmitAction>(VIEW.findingAckModal, handleFindingAckSubmit(deps));
}
