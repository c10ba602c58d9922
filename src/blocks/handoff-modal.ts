// The Hand off modal (dashboard button): who takes over the open gate, and the written note that goes into the log.
import type { ModalView } from '@slack/types';
import { GATE_TITLES } from '../domain/gates.ts';
import { BLOCK, ELEMENT, VIEW } from './ids.ts';
import { escapeMrkdwn } from './mrkdwn.ts';
import { encodePayload, gateButtonPayload, type GateButtonPayload } from './payloads.ts';

/** The same limit as `/caracal handoff` (commands/handoff.ts). */
export const MAX_HANDOFF_NOTE = 2000;

export function handoffModal(payload: GateButtonPayload, sandbox: boolean): ModalView {
  return {
    type: 'modal',
    callback_id: VIEW.handoffModal,
    private_metadata: encodePayload(gateButtonPayload, payload),
    title: { type: 'plain_text', text: sandbox ? 'Hand off (SANDBOX)' : 'Hand off a gate' },
    submit: { type: 'plain_text', text: 'Hand off' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `You pass *${escapeMrkdwn(GATE_TITLES[payload.gate])}* to someone else. Your note goes into the incident log.`,
        },
      },
      {
        type: 'input',
        block_id: BLOCK.handoffTo,
        label: { type: 'plain_text', text: 'Who takes over?' },
        element: { type: 'users_select', action_id: ELEMENT.handoffToSelect, placeholder: { type: 'plain_text', text: 'Pick a person' } },
      },
      {
        type: 'input',
        block_id: BLOCK.handoffNote,
        label: { type: 'plain_text', text: 'What is done, what is next, what to watch' },
        element: {
          type: 'plain_text_input',
          action_id: ELEMENT.handoffNoteInput,
          multiline: true,
          min_length: 1,
          max_length: MAX_HANDOFF_NOTE,
        },
      },
    ],
  };
}
