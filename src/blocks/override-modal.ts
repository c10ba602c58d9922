// The Override modal: a required written reason; the gate stays pending until a second approver approves.
import type { ModalView } from '@slack/types';
import { GATE_TITLES } from '../domain/gates.ts';
import { BLOCK, ELEMENT, VIEW } from './ids.ts';
import { escapeMrkdwn } from './mrkdwn.ts';
import { encodePayload, gateButtonPayload, type GateButtonPayload } from './payloads.ts';

export const MAX_REASON = 2000;

export function overrideModal(payload: GateButtonPayload, sandbox: boolean): ModalView {
  return {
    type: 'modal',
    callback_id: VIEW.overrideModal,
    private_metadata: encodePayload(gateButtonPayload, payload),
    title: { type: 'plain_text', text: sandbox ? 'Override (SANDBOX)' : 'Override a gate' },
    submit: { type: 'plain_text', text: 'Request override' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `You are asking to pass *${escapeMrkdwn(GATE_TITLES[payload.gate])}* without its checks passing. A second approver (not you) must approve it, and the reason goes into the incident log.`,
        },
      },
      {
        type: 'input',
        block_id: BLOCK.overrideReason,
        label: { type: 'plain_text', text: 'Why is it safe to go on?' },
        element: {
          type: 'plain_text_input',
          action_id: ELEMENT.overrideReasonInput,
          multiline: true,
          min_length: 10,
          max_length: MAX_REASON,
        },
      },
    ],
  };
}
