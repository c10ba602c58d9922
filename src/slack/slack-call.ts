// Every Slack Web API call the bot makes goes through here, so failures are counted and typed the same way.
import type { Metrics } from '../metrics.ts';

/** Slack's error code for a failed call (`channel_not_found`, `ratelimited`…), or a transport code. */
export function slackErrorCode(err: unknown): string {
  const e = err as { data?: { error?: string }; code?: string };
  return e.data?.error ?? e.code ?? 'unknown';
}

export async function slackCall<T>(metrics: Metrics, method: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    metrics.slackApiErrors.inc({ method, error: slackErrorCode(err) });
    throw err;
  }
}
