// Real Slack requests to the bot's Bolt HTTP receiver: v0 signature over the exact body with the sandbox's
// signing secret and the current time, the form content type Bolt requires, and Slack's 3-second patience.
import { createHmac } from 'node:crypto';
import { joinUrl } from '../../url.ts';

/** Slack shows an error when the app has not answered within 3 s. */
export const ACK_TIMEOUT_MS = 3000;

export interface AckResult {
  /** False when the sandbox refused before sending (unknown element, a required modal field left empty…). */
  sent: boolean;
  /** The bot's HTTP status (0 when nothing was sent or it did not answer in time). */
  status: number;
  /** The ack body (a slash command's immediate answer, a view_submission's response_action). */
  body: string;
  /** Slack's name for what went wrong: operation_timeout, dispatch_failed, or a sandbox refusal. */
  error?: string;
}

export function signature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** Bolt parses form bodies only with exactly this content type (no charset). */
const FORM = 'application/x-www-form-urlencoded';

/** Events API requests (app_home_opened) come as JSON; interactivity and commands as forms. */
export const JSON_TYPE = 'application/json';

export async function postToBot(botUrl: string | undefined, secret: string, body: string, contentType: string = FORM): Promise<AckResult> {
  if (!botUrl) return { sent: false, status: 0, body: '', error: 'bot_not_connected' };
  const timestamp = Math.floor(Date.now() / 1000);
  try {
    const res = await fetch(joinUrl(botUrl, '/slack/events'), {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signature(secret, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(ACK_TIMEOUT_MS),
    });
    const text = await res.text();
    return { sent: true, status: res.status, body: text, ...(res.ok ? {} : { error: 'dispatch_failed' }) };
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    return { sent: true, status: 0, body: '', error: timedOut ? 'operation_timeout' : 'dispatch_failed' };
  }
}

export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

export function payloadBody(payload: unknown): string {
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}
