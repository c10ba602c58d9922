// The clicker's own ephemeral card for a remediation action: what will be called and "Run it", then "Running…",
// then the outcome (success, partial, failure with the endpoint's scrubbed answer), each replacing the last.
import type { KnownBlock } from '@slack/types';
import type { ActionResult } from '../domain/events.ts';
import { ACTION } from './ids.ts';
import { LIMITS, sections } from './limits.ts';
import { escapeMrkdwn, truncate } from './mrkdwn.ts';
import type { ActionButtonPayload } from './payloads.ts';
import { encodePayload, actionButtonPayload } from './payloads.ts';

type Card = { text: string; blocks: KnownBlock[] };

export function confirmCard(remedy: { title: string; confirmText: string }, payload: ActionButtonPayload): Card {
  const value = encodePayload(actionButtonPayload, payload);
  return {
    text: `Run ${remedy.title}?`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*Run ${escapeMrkdwn(remedy.title)}?*\n${escapeMrkdwn(remedy.confirmText)}` } },
      {
        type: 'actions',
        elements: [
          { type: 'button', action_id: ACTION.remediateRun, text: { type: 'plain_text', text: 'Run it' }, style: 'danger', value },
          { type: 'button', action_id: ACTION.remediateCancel, text: { type: 'plain_text', text: 'Cancel' }, value },
        ],
      },
    ],
  };
}

/** `cancel`: the action's payload, for a Cancel button (actions that run one at a time and may take minutes). */
export function runningCard(title: string, cancel?: ActionButtonPayload): Card {
  const text = `:hourglass_flowing_sand: Running: *${escapeMrkdwn(title)}*… This message will show the outcome.`;
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text } }];
  if (cancel) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ACTION.exclusiveCancel,
          text: { type: 'plain_text', text: 'Cancel it' },
          value: encodePayload(actionButtonPayload, cancel),
        },
      ],
    });
  }
  return { text, blocks };
}

const HEAD: Record<ActionResult, string> = {
  success: ':white_check_mark: Succeeded',
  partial: ':warning: Partly succeeded',
  failure: ':x: Failed',
};

export function outcomeCard(title: string, result: ActionResult, summary: string, lines: readonly string[]): Card {
  const answer = lines.map((l) => `> ${escapeMrkdwn(truncate(l, 400))}`).join('\n');
  const text = `${HEAD[result]}: *${escapeMrkdwn(title)}*: ${escapeMrkdwn(summary)}${answer ? `\n${answer}` : ''}\nRecorded in the incident log.`;
  return { text: truncate(`${HEAD[result]}: ${title}: ${summary}`, LIMITS.fallbackText), blocks: sections(text) };
}

/** A call whose outcome is not known (the bot failed after calling): never claim nothing changed. */
export function unknownOutcomeCard(title: string, ref: string): Card {
  const text = `:grey_question: *${escapeMrkdwn(title)}* was started, but its outcome could not be recorded (ref \`${ref}\`). It may have changed Caracal: check its state (or run the gate's checks) before running it again.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
