// Every Slack Web API call made during a test, captured through nock, answered ok unless told otherwise.
import nock from 'nock';

export interface SlackCall {
  method: string;
  body: Record<string, unknown>;
  raw: string;
  /** What the fake Slack answered. */
  reply: Record<string, unknown>;
}

type Answer = [number, Record<string, unknown>] | [number, Record<string, unknown>, Record<string, string>];

/** Intercept every Web API method; record calls; answer ok with increasing ts unless `answer` says otherwise. */
export function captureSlackApi(answer?: (call: SlackCall) => Answer | undefined): SlackCall[] {
  const calls: SlackCall[] = [];
  let seq = 0;
  nock('https://slack.com')
    .persist()
    .post(/\/api\/.*/)
    .reply(function (uri, body) {
      const raw = typeof body === 'string' ? body : new URLSearchParams(body as Record<string, string>).toString();
      const parsed = Object.fromEntries(new URLSearchParams(raw)) as Record<string, unknown>;
      const call: SlackCall = { method: uri.replace('/api/', ''), body: parsed, raw, reply: {} };
      calls.push(call);
      const custom = answer?.(call);
      if (custom) {
        call.reply = custom[1];
        return custom;
      }
      seq++;
      const ts = typeof parsed.ts === 'string' ? parsed.ts : `1764320000.${String(seq).padStart(6, '0')}`;
      call.reply = { ok: true, channel: parsed.channel, ts };
      return [200, call.reply];
    });
  return calls;
}

export function blocksOf(call: SlackCall): Record<string, unknown>[] {
  const blocks = call.body.blocks;
  return JSON.parse(typeof blocks === 'string' ? blocks : '[]') as Record<string, unknown>[];
}

/** Intercept every post to a response URL (hooks.slack.com): record its body in `into` (returned), answer ok. */
export function captureResponseUrls<T = Record<string, unknown>>(into: T[] = []): T[] {
  nock('https://hooks.slack.com')
    .persist()
    .post(/.*/, (body: T) => {
      into.push(body);
      return true;
    })
    .reply(200, 'ok');
  return into;
}

/** The run dashboard in `channel` as last posted or updated: a top-level message, never a thread reply. */
export function latestDashboard(calls: readonly SlackCall[], channel: string): SlackCall {
  const dashboard = calls
    .filter((c) => (c.method === 'chat.update' || (c.method === 'chat.postMessage' && !c.body.thread_ts)) && c.body.channel === channel)
    .at(-1);
  if (!dashboard) throw new Error(`no dashboard in ${channel}`);
  return dashboard;
}
