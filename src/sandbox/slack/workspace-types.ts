// The shapes the sandbox workspace stores: channel messages, ephemeral messages and views (modals, App Home).
import type { JsonObject } from './json.ts';

export interface MessageContent {
  text: string;
  blocks: JsonObject[];
}

export interface SandboxMessage extends MessageContent {
  ts: string;
  channel: string;
  /** A person's message; bot messages carry `botId` instead. */
  user?: string;
  botId?: string;
  /** Set on thread replies: the parent's ts. */
  threadTs?: string;
  /** A thread reply also sent to the channel (`reply_broadcast`): Slack shows it in both. */
  broadcast?: boolean;
  metadata?: unknown;
  edited?: { ts: string };
}

export interface EphemeralMessage extends MessageContent {
  ts: string;
  channel: string;
  /** The only person who sees it. */
  user: string;
  threadTs?: string;
  /** Written by the sandbox itself (Slack's own notices, like a failed command), not by the bot. */
  system?: boolean;
}

export interface StoredView {
  id: string;
  user: string;
  hash: string;
  /** The view as the bot sent it (type, title, blocks, callback_id, private_metadata, …). */
  view: JsonObject;
  /** `response_action: errors` of the last submission, by block_id. */
  errors: Record<string, string>;
  /** A Slack-style notice when the bot did not answer a submission. */
  notice?: string;
  /** What the person typed at the last submission (block_id -> action_id -> value), kept while the modal stays open. */
  draft?: Record<string, Record<string, string>>;
}

export type Listener = (version: number) => void;
