// What one person sees in one channel, for the page (`GET /sandbox/state`): the channel's messages with their
// threads, that person's ephemeral messages only, and that person's open modal only.
import type { JsonObject } from './json.ts';
import { SANDBOX_BOT, SANDBOX_SHORTCUTS } from './people.ts';
import type { Workspace } from './workspace.ts';
import type { EphemeralMessage, SandboxMessage, StoredView } from './workspace-types.ts';

function messageView(workspace: Workspace, m: SandboxMessage): JsonObject {
  const author = m.botId ? SANDBOX_BOT.name : (workspace.user(m.user ?? '')?.name ?? m.user ?? 'unknown');
  return {
    ts: m.ts,
    author,
    isBot: Boolean(m.botId),
    ...(m.user ? { user: m.user } : {}),
    text: m.text,
    blocks: m.blocks,
    ...(m.threadTs ? { threadTs: m.threadTs } : {}),
    edited: Boolean(m.edited),
  };
}

function ephemeralView(e: EphemeralMessage): JsonObject {
  return {
    ts: e.ts,
    author: e.system ? 'Slackbot' : SANDBOX_BOT.name,
    isBot: true,
    text: e.text,
    blocks: e.blocks,
    ephemeral: true,
    ...(e.threadTs ? { threadTs: e.threadTs } : {}),
  };
}

function modalView(v: StoredView): JsonObject {
  return {
    id: v.id,
    hash: v.hash,
    callbackId: v.view.callback_id ?? null,
    title: v.view.title ?? null,
    submit: v.view.submit ?? null,
    close: v.view.close ?? null,
    blocks: Array.isArray(v.view.blocks) ? v.view.blocks : [],
    errors: v.errors,
    notice: v.notice ?? null,
    draft: v.draft ?? {},
  };
}

export function userState(workspace: Workspace, userId: string, channelId: string): JsonObject | undefined {
  const me = workspace.user(userId);
  const channel = workspace.channel(channelId);
  if (!me || !channel) return undefined;
  const modal = workspace.modalFor(me.id);
  const home = workspace.homeFor(me.id);
  return {
    version: workspace.version,
    me,
    users: workspace.users,
    channels: workspace.channels,
    channel,
    bot: { id: SANDBOX_BOT.botUserId, name: SANDBOX_BOT.name },
    shortcuts: SANDBOX_SHORTCUTS,
    messages: workspace.history(channel.id).map((m) => ({
      ...messageView(workspace, m),
      replies: workspace.replies(channel.id, m.ts).map((r) => messageView(workspace, r)),
    })),
    ephemerals: workspace.ephemeralsFor(me.id, channel.id).map(ephemeralView),
    modal: modal ? modalView(modal) : null,
    home: home ? { id: home.id, blocks: Array.isArray(home.view.blocks) ? home.view.blocks : [] } : null,
  };
}
