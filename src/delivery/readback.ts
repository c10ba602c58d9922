// Slack has no idempotency key for chat.postMessage, so a log entry whose earlier attempt may have reached Slack
// unrecorded (the replica died between Slack's answer and its commit, or the call timed out) is looked up in the
// thread, by the metadata every entry carries, before it is posted again.
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { slackCall, slackErrorCode } from '../slack/slack-call.ts';

export const LOG_ENTRY_EVENT = 'caracal_log_entry';

export function logEntryMetadata(eventId: number): { event_type: string; event_payload: { event_id: number } } {
  return { event_type: LOG_ENTRY_EVENT, event_payload: { event_id: eventId } };
}

/** Worth retrying later: the look-up may work then (rate limit, network, Slack's 5xx). */
function transient(err: unknown): boolean {
  const e = err as { code?: string; statusCode?: number };
  return e.code === 'slack_webapi_rate_limited_error' || e.code === 'slack_webapi_request_error' || (e.code === 'slack_webapi_http_error' && (e.statusCode ?? 500) >= 500);
}

/**
 * The log entries already in the thread under `threadTs`: event id -> message ts. A transient failure throws (the
 * delivery is retried later, still marked); a lasting one (no history scope, a Slack without this method) returns
 * nothing, and the entry is posted again: a duplicate is better than a lost entry.
 */
export async function postedEntries(client: WebClient, metrics: Metrics, log: Logger, channel: string, threadTs: string): Promise<Map<number, string>> {
  const found = new Map<number, string>();
  try {
    let cursor: string | undefined;
    do {
      const page = await slackCall(metrics, 'conversations.replies', () =>
        client.conversations.replies({ channel, ts: threadTs, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) }),
      );
      for (const m of page.messages ?? []) {
        const payload: { event_id?: unknown } | undefined = m.metadata?.event_type === LOG_ENTRY_EVENT ? m.metadata.event_payload : undefined;
        const id = Number(payload?.event_id);
        if (m.ts && Number.isInteger(id)) found.set(id, m.ts);
      }
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
  } catch (err) {
    if (transient(err)) throw err;
    log.warn({ code: slackErrorCode(err), channel }, 'cannot read the thread to look for an earlier post; posting the entry again');
  }
  return found;
}
