// chat.postMessage, chat.update, chat.postEphemeral and chat.delete as Slack answers them, including its errors.
import { fail, type ApiMethod } from './api-context.ts';
import { readContent, slackMessage } from './content.ts';
import { parseJsonField, str } from './json.ts';
import { SANDBOX_BOT } from './people.ts';
import { isInvalid } from './validate.ts';

const postMessage: ApiMethod = (args, { workspace }) => {
  const channel = workspace.channel(str(args.channel) ?? '');
  if (!channel) return fail('channel_not_found');
  const content = readContent(args, true);
  if (isInvalid(content)) return fail(content);
  let threadTs = str(args.thread_ts);
  if (threadTs) {
    const parent = workspace.message(channel.id, threadTs);
    // Slack's behaviour for an unknown parent is not documented; refusing it surfaces the bug instead of hiding it.
    if (!parent) return fail('thread_not_found');
    threadTs = parent.threadTs ?? parent.ts; // a reply to a reply joins the same thread, as in Slack
  }
  const metadata = typeof args.metadata === 'string' ? parseJsonField(args.metadata) : args.metadata;
  if (metadata instanceof Error) return fail('invalid_metadata_format');
  const message = workspace.post({
    channel: channel.id,
    text: content.text ?? '',
    blocks: content.blocks ?? [],
    botId: SANDBOX_BOT.botId,
    ...(threadTs ? { threadTs } : {}),
    ...(threadTs && (args.reply_broadcast === true || args.reply_broadcast === 'true') ? { broadcast: true } : {}),
    ...(metadata !== undefined ? { metadata } : {}),
  });
  return { ok: true, channel: channel.id, ts: message.ts, message: slackMessage(message) };
};

const update: ApiMethod = (args, { workspace }) => {
  const channel = workspace.channel(str(args.channel) ?? '');
  if (!channel) return fail('channel_not_found');
  const ts = str(args.ts) ?? '';
  const existing = workspace.message(channel.id, ts);
  if (!existing) return fail('message_not_found');
  if (!existing.botId) return fail('cant_update_message'); // a bot token can only edit the bot's own messages
  const content = readContent(args, false);
  if (isInvalid(content)) return fail(content);
  const metadata = typeof args.metadata === 'string' ? parseJsonField(args.metadata) : args.metadata;
  if (metadata instanceof Error) return fail('invalid_metadata_format');
  const message = workspace.update(channel.id, ts, {
    ...(content.text !== undefined ? { text: content.text } : {}),
    ...(content.blocks !== undefined ? { blocks: content.blocks } : {}),
    ...(metadata !== undefined ? { metadata } : {}),
  })!;
  return { ok: true, channel: channel.id, ts, text: message.text, message: slackMessage(message) };
};

const postEphemeral: ApiMethod = (args, { workspace }) => {
  const channel = workspace.channel(str(args.channel) ?? '');
  if (!channel) return fail('channel_not_found');
  const user = workspace.user(str(args.user) ?? '');
  if (!user) return fail('user_not_in_channel');
  const content = readContent(args, true);
  if (isInvalid(content)) return fail(content);
  const threadTs = str(args.thread_ts);
  const message = workspace.postEphemeral({
    channel: channel.id,
    user: user.id,
    text: content.text ?? '',
    blocks: content.blocks ?? [],
    ...(threadTs ? { threadTs } : {}),
  });
  return { ok: true, message_ts: message.ts };
};

const del: ApiMethod = (args, { workspace }) => {
  const channel = workspace.channel(str(args.channel) ?? '');
  if (!channel) return fail('channel_not_found');
  const ts = str(args.ts) ?? '';
  const existing = workspace.message(channel.id, ts);
  if (!existing) return fail('message_not_found');
  if (!existing.botId) return fail('cant_delete_message');
  workspace.delete(channel.id, ts);
  return { ok: true, channel: channel.id, ts };
};

export const CHAT_METHODS: Record<string, ApiMethod> = {
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.postEphemeral': postEphemeral,
  'chat.delete': del,
};
