// A message's content (text + blocks) as the Web API and response_url receive it, checked like Slack checks it,
// and stored messages shaped like Slack's `message` objects in answers and interaction payloads.
import { randomBytes } from 'node:crypto';
import { str, type JsonObject } from './json.ts';
import { SANDBOX_BOT } from './people.ts';
import { LIMITS } from '../../blocks/limits.ts';
import { checkBlocks, isInvalid, parseBlocks, type Invalid } from './validate.ts';
import type { EphemeralMessage, SandboxMessage } from './workspace.ts';

export interface Content {
  text: string | undefined;
  blocks: JsonObject[] | undefined;
}

/** `requireContent`: posting needs text or blocks (`no_text`); an update may change only one of them. */
export function readContent(args: JsonObject, requireContent: boolean): Content | Invalid {
  const blocks = parseBlocks(args.blocks);
  if (isInvalid(blocks)) return blocks;
  const text = str(args.text);
  if (requireContent && !text && !(blocks && blocks.length > 0)) return { error: 'no_text', errors: [] };
  if (!requireContent && text === undefined && blocks === undefined) return { error: 'no_text', errors: [] };
  if (text !== undefined && text.length > LIMITS.messageText) return { error: 'msg_too_long', errors: [] };
  if (blocks) {
    const invalid = checkBlocks(blocks, 'message');
    if (invalid) return invalid;
  }
  return { text, blocks: blocks && withBlockIds(blocks) };
}

/** Slack gives every block without a block_id a generated one, so interaction payloads always carry one. */
export function withBlockIds(blocks: readonly JsonObject[]): JsonObject[] {
  return blocks.map((b) => (typeof b.block_id === 'string' ? b : { ...b, block_id: randomBytes(3).toString('base64url') }));
}

export function slackMessage(m: SandboxMessage | EphemeralMessage): JsonObject {
  const author =
    'botId' in m && m.botId
      ? {
          bot_id: m.botId,
          app_id: SANDBOX_BOT.appId,
          user: SANDBOX_BOT.botUserId,
          bot_profile: { id: m.botId, name: SANDBOX_BOT.name, app_id: SANDBOX_BOT.appId },
        }
      : { user: m.user };
  return {
    type: 'message',
    ts: m.ts,
    text: m.text,
    blocks: m.blocks,
    team: SANDBOX_BOT.teamId,
    ...author,
    ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
    ...('broadcast' in m && m.broadcast ? { subtype: 'thread_broadcast' } : {}),
    ...('edited' in m && m.edited ? { edited: { user: SANDBOX_BOT.botUserId, ts: m.edited.ts } } : {}),
    ...('metadata' in m && m.metadata !== undefined ? { metadata: m.metadata } : {}),
  };
}
