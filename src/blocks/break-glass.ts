// The ephemeral break-glass step: what to run by hand, and a "Done by me" button that records who did it.
import type { KnownBlock } from '@slack/types';
import type { ActionOutcome, RemediationAction } from '../remediation/types.ts';
import { ACTION } from './ids.ts';
import { sections } from './limits.ts';
import { escapeMrkdwn } from './mrkdwn.ts';
import { actionButtonPayload, encodePayload, type ActionButtonPayload } from './payloads.ts';

export function breakGlassMessage(
  action: RemediationAction,
  outcome: ActionOutcome,
  payload: ActionButtonPayload,
): { text: string; blocks: KnownBlock[] } {
  const steps = outcome.lines.length ? `\n\`\`\`\n${escapeMrkdwn(outcome.lines.join('\n'))}\n\`\`\`` : '';
  const blocks: KnownBlock[] = [...sections(`*${escapeMrkdwn(action.title)}*\n${escapeMrkdwn(outcome.summary)}${steps}`)];
  if (outcome.lines.length > 0) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          style: 'primary',
          action_id: ACTION.breakGlassDone,
          text: { type: 'plain_text', text: 'Done by me' },
          value: encodePayload(actionButtonPayload, payload),
        },
      ],
    });
  }
  return { text: `${action.title}: ${outcome.summary}`, blocks };
}
