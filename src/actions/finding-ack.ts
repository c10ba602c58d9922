// "Acknowledge finding…" on Resume: an approver opens a modal and writes why it is safe to resume with the deep
// verification's finding; the machine records it (`finding_acknowledged`) and Resume waits for two of them.
// As with the override modal, the acknowledgement is saved before the ack when no Slack lookup is needed
// (reason-modal.ts).
import type { App, ButtonAction, ViewSubmitAction } from '@slack/bolt';
import { findingAckModal } from '../blocks/finding-ack.ts';
import { ACTION, BLOCK, ELEMENT, VIEW } from '../blocks/ids.ts';
import { decodePayload, findingAckPayload } from '../blocks/payloads.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { unacknowledgedFindings } from '../recovery/machine.ts';
import type { RecoveryService } from '../recovery/service.ts';
import { onAction, tell, type ActionArgs } from '../slack/listeners.ts';
import { slackCall } from '../slack/slack-call.ts';
import { runOfClick } from './gate-buttons.ts';
import { handleReasonModalSubmit } from './reason-modal.ts';

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
    const run = await runOfClick(deps, payload.runId, body);
    if (typeof run === 'string') return tell(respond, run);
    // Checked again on submit; asking first spares a non-approver from writing a reason for nothing.
    if (!(await deps.isApprover(body.user.id))) return tell(respond, 'Only configured approvers can acknowledge a finding.');
    const finding = unacknowledgedFindings(run) ?? 'the deep verification finding (already acknowledged by enough approvers)';
    await slackCall(deps.metrics, 'views.open', () =>
      client.views.open({ trigger_id: body.trigger_id, view: findingAckModal(payload, finding, deps.sandbox) }),
    );
  };

export const handleFindingAckSubmit = (deps: FindingAckDeps) =>
  handleReasonModalSubmit(deps, {
    view: VIEW.findingAckModal,
    block: BLOCK.findingAckReason,
    element: ELEMENT.findingAckReasonInput,
    payload: findingAckPayload,
    command: (payload, reason) => ({
      gate: 'resume',
      command: { type: 'acknowledge_finding', verificationEventId: payload.verificationEventId, reason },
    }),
    notDone: 'Not acknowledged',
    whoIsTold: 'the approver',
  });

export function registerFindingAck(app: App, deps: FindingAckDeps): void {
  onAction(app, ACTION.findingAcknowledge, deps, handleFindingAckOpen(deps));
  app.view<ViewSubmitAction>(VIEW.findingAckModal, handleFindingAckSubmit(deps));
}
