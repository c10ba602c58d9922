// Slack has no idempotency key for chat.postMessage, so a message whose earlier attempt may have reached Slack
// unrecorded (the replica died between Slack's answer and its commit, or the call timed out) is looked up by the
// metadata it carries before it is posted again: a log entry in its thread, a dashboard, an alert group or a
// scheduled report in its channel.
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { mayAnswerLater, slackCall, slackErrorCode } from '../slack/slack-call.ts';

export const LOG_ENTRY_EVENT = 'caracal_log_entry';

/** `part`: a long entry is posted as several messages (continuations); each is found again on its own. */
export function logEntryMetadata(eventId: number, part = 0): { event_type: string; event_payload: { event_id: number; part: number } } {
  return { event_type: LOG_ENTRY_EVENT, event_payload: { event_id: eventId, part } };
}

/** The key of one posted part of one entry in the map `postedEntries` returns. */
export const partKey = (eventId: number, part: number): string => `${eventId}:${part}`;

export interface PostedMessageQuery {
  channel: string;
  /** The message's metadata: its event type, and the payload field that names it. */
  eventType: string;
  key: string;
  value: string;
  /** How many of the channel's latest messages to look through. */
  lookback: number;
  /** Not posted before this (a minute earlier is looked at too, for clock skew); undefined: the latest messages. */
  since?: Date;
  /** Only this bot's messages count, so another app's message with the same metadata is never taken for ours. */
  botId?: string;
}

/**
 * The ts of the message this bot already posted with that metadata, if Slack shows it. A failure that may pass
 * (mayAnswerLater) is thrown: the caller retries later, still marked. A lasting one (no history scope, say) is
 * handed to `cannotLook` and answers "not posted": the message is posted again, a duplicate is better than a loss.
 */
export async function findEarlierPost(
  client: WebClient,
  metrics: Metrics,
  q: PostedMessageQuery,
  cannotLook: (code: string) => void,
): Promise<string | undefined> {
  const oldest = q.since ? { oldest: String(Math.floor(q.since.getTime() / 1000) - 60) } : {};
  let page: Awaited<ReturnType<WebClient['conversations']['history']>>;
  try {
    page = await slackCall(metrics, 'conversations.history', () =>
      client.conversations.history({ channel: q.channel, ...oldest, include_all_metadata: true, limit: q.lookback }),
    );
  } catch (err) {
    if (mayAnswerLater(err)) throw err;
    cannotLook(slackErrorCode(err));
    return undefined;
  }
  return (page.messages ?? []).find((m) => {
    const payload = m.metadata?.event_type === q.eventType ? (m.metadata.event_payload as Record<string, unknown> | undefined) : undefined;
    return payload?.[q.key] === q.value && (!q.botId || m.bot_id === q.botId);
  })?.ts;
}

/**
 * The log entries already in the thread under `threadTs`, posted by this bot: `partKey(event id, part)` -> message ts.
 * Only the bot's own messages count (`botId`), so another app cannot make the bot skip an entry. A transient failure throws (the
 * delivery is retried later, still marked); a lasting one (no history scope, a Slack without this method) returns
 * nothing, and the entry is posted again: a duplicate is better than a lost entry.
 */
export async function postedEntries(
  client: WebClient,
  metrics: Metrics,
  log: Logger,
  channel: string,
  threadTs: string,
  botId?: string,
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  try {
    let cursor: string | undefined;
    do {
      const page = await slackCall(metrics, 'conversations.replies', () =>
        client.conversations.replies({ channel, ts: threadTs, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) }),
      );
      for (const m of page.messages ?? []) {
        if (botId && m.bot_id !== botId) continue;
        const payload: { event_id?: unknown; part?: unknown } | undefined =
          m.metadata?.event_type === LOG_ENTRY_EVENT ? m.metadata.event_payload : undefined;
        const id = Number(payload?.event_id);
        const part = Number(payload?.part ?? 0);
        if (m.ts && Number.isInteger(id) && Number.isInteger(part)) found.set(partKey(id, part), m.ts);
      }
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
  } catch (err) {
    if (mayAnswerLater(err)) throw err;
    log.warn({ code: slackErrorCode(err), channel }, 'cannot read the thread to look for an earlier post; posting the entry again');
  }
  return found;
}
