// Signed Slack requests for benchmarks (same signing as Slack: v0 HMAC over timestamp and raw body).
import { createHmac } from 'node:crypto';

export function signed(body: string, secret: string): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  const sig = 'v0=' + createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex');
  return { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig };
}

let requests = 0;
/** Slack gives every request its own trigger_id and every click its own action_ts; the bot keys repeats on them. */
const nextId = () => `${Math.floor(Date.now() / 1000)}.${String(++requests).padStart(6, '0')}`;

/** `responseUrl`: where the bot's ephemeral answers go (default a closed port: nobody reads them). */
export function commandBody(text: string, user = 'U0BENCH', channel = 'C0BENCH', responseUrl = 'http://127.0.0.1:9/hook'): string {
  return new URLSearchParams({
    token: 'x',
    team_id: 'T0',
    team_domain: 'bench',
    channel_id: channel,
    channel_name: 'bench',
    user_id: user,
    user_name: 'b',
    command: '/caracal',
    text,
    api_app_id: 'A0',
    response_url: responseUrl,
    trigger_id: nextId(),
  }).toString();
}

export function actionBody(actionId: string, value: string, opts: { user: string; channel: string; ts: string; blockId?: string }): string {
  const payload = {
    type: 'block_actions',
    team: { id: 'T0', domain: 'bench' },
    user: { id: opts.user, username: 'u', name: 'u', team_id: 'T0' },
    api_app_id: 'A0',
    token: 'x',
    trigger_id: nextId(),
    container: { type: 'message', message_ts: opts.ts, channel_id: opts.channel, is_ephemeral: false },
    channel: { id: opts.channel, name: 'bench' },
    message: { type: 'message', ts: opts.ts, text: 'x', blocks: [] },
    response_url: 'http://127.0.0.1:9/hook',
    state: { values: {} },
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: opts.blockId ?? 'b',
        value,
        text: { type: 'plain_text', text: 'x' },
        action_ts: nextId(),
      },
    ],
  };
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** POST and resolve with the time to the response headers (the ack), in ms. */
export async function timedPost(url: string, body: string, secret: string): Promise<number> {
  const start = performance.now();
  const res = await fetch(url, { method: 'POST', headers: signed(body, secret), body });
  const ms = performance.now() - start;
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  return ms;
}
