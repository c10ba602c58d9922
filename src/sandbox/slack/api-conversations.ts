// conversations.history and conversations.replies as Slack answers them: history newest first, a thread's parent
// first and its replies oldest first, paged with `limit` and `cursor`, and message metadata only when asked for with
// `include_all_metadata` (the bot reads its own messages back by their metadata before posting again).
import { fail, type ApiMethod } from './api-context.ts';
import { slackMessage } from './content.ts';
import { str, type JsonObject } from './json.ts';
import type { SandboxMessage } from './workspace-types.ts';

const MAX_LIMIT = 1000;

function page(all: readonly SandboxMessage[], args: JsonObject, defaultLimit: number): JsonObject {
  const start = Number(str(args.cursor) ?? 0) || 0;
  const limit = Math.min(Number(args.limit) || defaultLimit, MAX_LIMIT);
  const next = start + limit < all.length ? String(start + limit) : '';
  const withMetadata = str(args.include_all_metadata) === 'true' || args.include_all_metadata === true;
  const messages = all.slice(start, start + limit).map((m) => {
    const { metadata, ...rest } = slackMessage(m);
    return withMetadata && metadata !== undefined ? { ...rest, metadata } : rest;
  });
  return { ok: true, messages, has_more: next !== '', response_metadata: { next_cursor: next } };
}

/** Slack's `oldest`/`latest` bounds are exclusive by default: a ts strictly between them. */
function within(m: SandboxMessage, args: JsonObject): boolean {
  const ts = Number(m.ts);
  const oldest = Number(str(args.oldest) ?? 0);
  const latest = str(args.latest) === undefined ? Infinity : Number(str(args.latest));
  return ts > oldest && ts < latest;
}

const history: ApiMethod = (args, { workspace }) => {
  const channel = workspace.channel(str(args.channel) ?? '');
  if (!channel) return fail('channel_not_found');
  const all = workspace
    .history(channel.id)
    .filter((m) => within(m, args))
    .reverse();
  return page(all, args, 100);
};

const replies: ApiMethod = (args, { workspace }) => {
  const channel = workspace.channel(str(args.channel) ?? '');
  if (!channel) return fail('channel_not_found');
  const parent = workspace.message(channel.id, str(args.ts) ?? '');
  if (!parent) return fail('thread_not_found');
  const root = parent.threadTs ? (workspace.message(channel.id, parent.threadTs) ?? parent) : parent;
  return page([root, ...workspace.replies(channel.id, root.ts)], args, 1000);
};

export const CONVERSATION_METHODS: Record<string, ApiMethod> = {
  'conversations.history': history,
  'conversations.replies': replies,
};
