// Every Slack Web API call the bot makes goes through here, so failures are counted and typed the same way,
// and every caller reads Slack's errors with one classification.
import type { Metrics } from '../metrics.ts';

/** Slack's error code for a failed call (`channel_not_found`, `ratelimited`…), or a transport code. */
export function slackErrorCode(err: unknown): string {
  const e = err as { data?: { error?: string }; code?: string };
  return e.data?.error ?? e.code ?? 'unknown';
}

/** Errors about the whole workspace or channel: pause that channel's queue (never drop it) and probe it. */
export const CHANNEL_ERRORS: ReadonlySet<string> = new Set([
  'invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive', 'not_in_channel', 'channel_not_found',
  'is_archived', 'team_access_not_granted', 'missing_scope', 'restricted_action', 'ekm_access_denied',
]);
/**
 * The token itself is refused (revoked, mistyped, the workspace or app suspended): no call can succeed until it is
 * fixed, so a read-back that fails with one of these must not be taken for "nothing was posted".
 */
export const AUTH_ERRORS: ReadonlySet<string> = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive', 'team_access_not_granted']);
/** Errors about one message: retrying the same message cannot help. */
export const MESSAGE_ERRORS: ReadonlySet<string> = new Set([
  'invalid_blocks', 'invalid_blocks_format', 'msg_too_long', 'no_text', 'too_many_attachments', 'invalid_attachments',
  'invalid_metadata_format', 'invalid_metadata_schema', 'metadata_too_large', 'invalid_arguments', 'thread_not_found',
  'message_limit_exceeded', 'duplicate_message_not_found',
]);
/** The message to update is gone (deleted by someone): post it again. */
export const GONE_ERRORS: ReadonlySet<string> = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed']);

export type SlackFailure = 'rate' | 'channel' | 'message' | 'gone' | 'transient';

export function classifySlackError(err: unknown): SlackFailure {
  const e = err as { code?: string };
  if (e.code === 'slack_webapi_rate_limited_error') return 'rate';
  const code = slackErrorCode(err);
  if (CHANNEL_ERRORS.has(code)) return 'channel';
  if (MESSAGE_ERRORS.has(code)) return 'message';
  if (GONE_ERRORS.has(code)) return 'gone';
  return 'transient'; // 5xx, timeouts, network, and Slack errors we do not know: retried with backoff
}

/** Slack answered (an error or a 429), so the call did not post anything. */
export function answeredBySlack(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'slack_webapi_platform_error' || code === 'slack_webapi_rate_limited_error';
}

/** Retry-After of a 429, in ms. */
export function retryAfterMs(err: unknown): number | undefined {
  const e = err as { code?: string; retryAfter?: number };
  return e.code === 'slack_webapi_rate_limited_error' && typeof e.retryAfter === 'number' ? e.retryAfter * 1000 : undefined;
}

export async function slackCall<T>(metrics: Metrics, method: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    metrics.slackApiErrors.inc({ method, error: slackErrorCode(err) });
    throw err;
  }
}
