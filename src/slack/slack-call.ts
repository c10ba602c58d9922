// Every Slack Web API call the bot's code makes while it runs goes through `slackCall`, so failures are counted the
// same way, and every caller reads Slack's errors with the one classification below: the names of Slack's platform
// errors live here and nowhere else. Not counted: the auth.test that resolves the bot's identity before it starts
// (slack/bot-identity.ts; a failure there stops the start), and the calls Bolt itself makes.
import { ErrorCode } from '@slack/web-api';
import type { Metrics } from '../metrics.ts';

/** Slack's error code for a failed call (`channel_not_found`, `ratelimited`…), or a transport code. */
export function slackErrorCode(err: unknown): string {
  const e = err as { data?: { error?: string }; code?: string };
  return e.data?.error ?? e.code ?? 'unknown';
}

/** The kind of failure @slack/web-api reports (`ErrorCode`): a platform error, a 429, an HTTP error, no answer. */
const kindOf = (err: unknown): unknown => (err as { code?: unknown }).code;

// ---- Slack's platform errors (an answer with ok: false), by what they mean to the caller ----

/**
 * The token itself is refused (revoked, mistyped, the workspace or app suspended): no call can succeed until it is
 * fixed, so a read-back that fails with one of these must not be taken for "nothing was posted".
 */
const AUTH_ERRORS: ReadonlySet<string> = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'team_access_not_granted',
]);
/** The channel no longer takes the bot's posts (removed from it, deleted, archived): it will not pass by itself. */
const CHANNEL_GONE_ERRORS: ReadonlySet<string> = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);
/** Errors about the whole workspace or channel: pause that channel's queue (never drop it) and probe it. */
const CHANNEL_ERRORS: ReadonlySet<string> = new Set([
  ...AUTH_ERRORS,
  ...CHANNEL_GONE_ERRORS,
  'missing_scope',
  'restricted_action',
  'ekm_access_denied',
]);
/** Errors about one message: retrying the same message cannot help. */
const MESSAGE_ERRORS: ReadonlySet<string> = new Set([
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_too_long',
  'no_text',
  'too_many_attachments',
  'invalid_attachments',
  'invalid_metadata_format',
  'invalid_metadata_schema',
  'metadata_too_large',
  'invalid_arguments',
  'thread_not_found',
  'message_limit_exceeded',
  'duplicate_message_not_found',
]);
/** The message to update is gone (deleted by someone): post it again. */
const GONE_ERRORS: ReadonlySet<string> = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed']);
/** views.publish for someone who cannot have this Home now (left the workspace, no Home tab), or a view Slack refuses. */
const HOME_REFUSED_ERRORS: ReadonlySet<string> = new Set(['user_not_found', 'not_enabled', 'invalid_arguments', 'invalid_blocks']);

export type SlackFailure = 'rate' | 'channel' | 'message' | 'gone' | 'transient';

export function classifySlackError(err: unknown): SlackFailure {
  if (kindOf(err) === ErrorCode.RateLimitedError) return 'rate';
  const code = slackErrorCode(err);
  if (CHANNEL_ERRORS.has(code)) return 'channel';
  if (MESSAGE_ERRORS.has(code)) return 'message';
  if (GONE_ERRORS.has(code)) return 'gone';
  return 'transient'; // 5xx, timeouts, network, and Slack errors we do not know: retried with backoff
}

/** Slack will not take posts in this channel any more: a schedule for it ends, a person is told to invite the bot. */
export function channelGone(err: unknown): boolean {
  return CHANNEL_GONE_ERRORS.has(slackErrorCode(err));
}

/** A Home that cannot be published for this person for a while: retried much later, not in a tight backoff. */
export function homeRefused(err: unknown): boolean {
  return HOME_REFUSED_ERRORS.has(slackErrorCode(err));
}

/**
 * A read (a look-up before posting again) that may answer later: rate limited, no answer, Slack's 5xx, or a token
 * refused for a while. The post would be refused too, and a post that slips through the end of such a window must
 * not make a duplicate, so the caller retries later instead of posting now.
 */
export function mayAnswerLater(err: unknown): boolean {
  const kind = kindOf(err);
  const status = (err as { statusCode?: number }).statusCode ?? 500;
  return (
    kind === ErrorCode.RateLimitedError ||
    kind === ErrorCode.RequestError ||
    (kind === ErrorCode.HTTPError && status >= 500) ||
    AUTH_ERRORS.has(slackErrorCode(err))
  );
}

/** Slack answered (an error or a 429), so the call did not post anything. */
export function answeredBySlack(err: unknown): boolean {
  const kind = kindOf(err);
  return kind === ErrorCode.PlatformError || kind === ErrorCode.RateLimitedError;
}

/** Retry-After of a 429, in ms. */
export function retryAfterMs(err: unknown): number | undefined {
  const retryAfter = (err as { retryAfter?: unknown }).retryAfter;
  return kindOf(err) === ErrorCode.RateLimitedError && typeof retryAfter === 'number' ? retryAfter * 1000 : undefined;
}

export async function slackCall<T>(metrics: Metrics, method: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    metrics.slackApiErrors.inc({ method, error: slackErrorCode(err) });
    throw err;
  }
}
