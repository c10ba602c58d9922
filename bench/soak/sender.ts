// Sends signed Slack requests through the proxy as Slack sends slash commands and interactions: once. Slack retries
// only Events API deliveries; a command or click that is not acked within 3 s shows the person an error instead
// (they may try again, knowingly). This matters since clicks are saved before their ack (issue 14 item 8): a retry
// of a request whose save committed but whose ack was lost would apply it twice. `retries` > 0 models the Events
// API's retries (same body, newly signed, x-slack-retry-num / x-slack-retry-reason).
import { signature } from '../../src/sandbox/slack/signing.ts';

export interface Delivered {
  status: number;
  body: string;
  /** The replica process that answered (`A#1`), as the proxy tagged it. */
  replica: string | undefined;
  /** Replicas that got a failed attempt (they may have read the request before failing). */
  failedOn: string[];
  attempts: number;
}

export interface SenderStats {
  requests: number;
  httpErrors: number;
  retried: number;
  gaveUp: number;
  latenciesMs: number[];
}

const RETRY_DELAYS_MS = [100, 500, 1500];

export function createSender(proxyUrl: string, secret: string, retries = 0) {
  const stats: SenderStats = { requests: 0, httpErrors: 0, retried: 0, gaveUp: 0, latenciesMs: [] };

  async function attempt(body: string, retry: number): Promise<{ status: number; text: string; replica?: string; error?: string }> {
    const ts = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': signature(secret, ts, body),
      ...(retry > 0 ? { 'x-slack-retry-num': String(retry), 'x-slack-retry-reason': 'http_error' } : {}),
    };
    stats.requests++;
    const started = performance.now();
    try {
      const res = await fetch(`${proxyUrl}/slack/events`, { method: 'POST', headers, body, signal: AbortSignal.timeout(5000) });
      const text = await res.text();
      const replica = res.headers.get('x-soak-replica') ?? undefined;
      if (res.status < 500) stats.latenciesMs.push(performance.now() - started);
      return { status: res.status, text, ...(replica ? { replica } : {}) };
    } catch (err) {
      return { status: 0, text: '', error: err instanceof Error ? err.message : String(err) };
    }
  }

  return {
    stats,
    /** Until an answer below 500, or Slack's three retries are used up. */
    async send(body: string): Promise<Delivered> {
      const failedOn: string[] = [];
      for (let retry = 0; ; retry++) {
        const r = await attempt(body, retry);
        if (r.status > 0 && r.status < 500) return { status: r.status, body: r.text, replica: r.replica, failedOn, attempts: retry + 1 };
        stats.httpErrors++;
        failedOn.push(r.replica ?? '?');
        if (retry >= Math.min(retries, RETRY_DELAYS_MS.length)) {
          stats.gaveUp++;
          return { status: r.status, body: r.text, replica: r.replica, failedOn, attempts: retry + 1 };
        }
        stats.retried++;
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[retry]));
      }
    },
  };
}

export type Sender = ReturnType<typeof createSender>;
