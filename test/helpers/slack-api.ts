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
