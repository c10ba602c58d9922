// Request bodies exactly as Slack sends them, built with the sandbox's own payload shapes: slash commands,
// block_actions on a dashboard message, and the override modal's view_submission.
import { slackView } from '../../src/sandbox/slack/api-views.ts';
import { slackMessage } from '../../src/sandbox/slack/content.ts';
import type { JsonObject } from '../../src/sandbox/slack/json.ts';
import { actionOf, commandFields, common, messageState, type ElementMatch } from '../../src/sandbox/slack/payloads.ts';
import type { SandboxChannel, SandboxUser } from '../../src/sandbox/slack/people.ts';
import { formBody, payloadBody } from '../../src/sandbox/slack/signing.ts';
import type { SandboxMessage, StoredView } from '../../src/sandbox/slack/workspace.ts';
import { BLOCK, ELEMENT } from '../../src/blocks/ids.ts';

export interface Requester {
  user: SandboxUser;
  channel: SandboxChannel;
  trigger: string;
  responseUrl: string;
}

export function commandBody(r: Requester, text: string): string {
  return formBody(commandFields(r.user, r.channel, '/caracal', text, r.responseUrl, r.trigger));
}

/** A click on `match` in `message`; for checkboxes `selected` is the whole new selection. */
export function clickBody(r: Requester, message: SandboxMessage, match: ElementMatch, selected?: string[]): string {
  return payloadBody({
    type: 'block_actions',
    ...common(r.user, r.trigger),
    container: { type: 'message', message_ts: message.ts, channel_id: r.channel.id, is_ephemeral: false },
    channel: { id: r.channel.id, name: r.channel.name },
    message: slackMessage(message),
    state: { values: messageState(message.blocks, match, selected) },
    response_url: r.responseUrl,
    actions: [actionOf(match, selected)],
  });
}

export function submitBody(user: SandboxUser, trigger: string, view: StoredView, reason: string): string {
  const values: JsonObject = { [BLOCK.overrideReason]: { [ELEMENT.overrideReasonInput]: { type: 'plain_text_input', value: reason } } };
  return payloadBody({ type: 'view_submission', ...common(user, trigger), view: slackView(view, values), response_urls: [] });
}

/** A button or checkbox value's run id (checkboxes carry it in the block id after `gate_freeze|vN|`). */
export function runIdOf(match: ElementMatch): string | undefined {
  const raw = typeof match.element.value === 'string' ? match.element.value : String(match.block.block_id).split('|').slice(2).join('|');
  try {
    const parsed = JSON.parse(raw) as { runId?: unknown };
    return typeof parsed.runId === 'string' ? parsed.runId : undefined;
  } catch {
    return undefined;
  }
}
