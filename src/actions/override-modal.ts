// Submitting the Override modal: a written reason and a `request_override` on the gate, saved before the ack when
// the approver rule needs no Slack look-up (reason-modal.ts says how and why).
import type { App, ViewSubmitAction } from '@slack/bolt';
import { randomUUID } from 'node:crypto';
import { BLOCK, ELEMENT, VIEW } from '../blocks/ids.ts';
import { gateButtonPayload } from '../blocks/payloads.ts';
import { handleReasonModalSubmit, type ReasonModalDeps } from './reason-modal.ts';

export type OverrideModalDeps = ReasonModalDeps;

export const handleOverrideSubmit = (deps: OverrideModalDeps) =>
  handleReasonModalSubmit(deps, {
    view: VIEW.overrideModal,
    block: BLOCK.overrideReason,
    element: ELEMENT.overrideReasonInput,
    payload: gateButtonPayload,
    command: (payload, reason) => ({
      gate: payload.gate,
      command: { type: 'request_override', reason, overrideId: randomUUID().replace(/-/g, '').slice(0, 20) },
    }),
    notDone: 'Override not requested',
    whoIsTold: 'the requester',
  });

export function registerOverrideModal(app: App, deps: OverrideModalDeps): void {
  app.view<ViewSubmitAction>(VIEW.overrideModal, handleOverrideSubmit(deps));
}
