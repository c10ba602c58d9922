// The sandbox Slack can be told to fail (issue 14): refuse a given message, answer 429 with Retry-After, answer 5xx,
// refuse the token for a while, or take a given time; and it serves conversations.history and .replies with the
// metadata the bot reads back. Seen through the bot's own WebClient, as the dispatcher sees Slack.
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SandboxSlack } from '../../../src/sandbox/slack/server.ts';
import { SlackFaults } from '../../../src/sandbox/slack/faults.ts';
import { BOT_TOKEN, client, quietLogger, sandbox, slackError } from './helpers.ts';

const CHANNEL = 'C0INCIDENT';

describe('sandbox Slack failure injection', () => {
  let s: SandboxSlack;
  let web: WebClient;
  beforeEach(async () => {
    s = await sandbox();
    web = client(s);
  });
  afterEach(async () => {
    await s.close();
  });

  it('refuses the one message it is told to, and takes the next', async () => {
    s.faults.refuse((c) => c.method === 'chat.postMessage' && c.args.text === 'refuse me', 'invalid_blocks');
    await web.chat.postMessage({ channel: CHANNEL, text: 'before' });
    expect(await slackError(web.chat.postMessage({ channel: CHANNEL, text: 'refuse me' }))).toBe('invalid_blocks');
    await web.chat.postMessage({ channel: CHANNEL, text: 'refuse me' }); // spent: the same message goes through now
    expect(s.workspace.history(CHANNEL).map((m) => m.text)).toEqual(['before', 'refuse me']);
    expect(s.faults.injected.get('chat.postMessage invalid_blocks')).toBe(1);
  });

  it('answers 429 with Retry-After for the given method only, then recovers', async () => {
    s.faults.rateLimit(7, { methods: ['chat.update'], times: 2 });
    const posted = await web.chat.postMessage({ channel: CHANNEL, text: 'dashboard' });
    const limited = new WebClient(BOT_TOKEN, {
      slackApiUrl: s.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logger: quietLogger,
    });
    for (let i = 0; i < 2; i++) {
      const err = await limited.chat.update({ channel: CHANNEL, ts: posted.ts!, text: 'v2' }).then(
        () => undefined,
        (e: unknown) => e as { code?: string; retryAfter?: number },
      );
      expect(err).toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 7 });
    }
    await limited.chat.update({ channel: CHANNEL, ts: posted.ts!, text: 'v2' });
    expect(s.workspace.message(CHANNEL, posted.ts!)?.text).toBe('v2');
  });

  it('answers 5xx without doing the call', async () => {
    s.faults.serverError({ methods: ['chat.postMessage'], status: 500 });
    const err = await web.chat.postMessage({ channel: CHANNEL, text: 'lost' }).then(
      () => undefined,
      (e: unknown) => e as { code?: string; statusCode?: number },
    );
    expect(err).toMatchObject({ code: 'slack_webapi_http_error', statusCode: 500 });
    expect(s.workspace.history(CHANNEL)).toEqual([]);
  });

  it('refuses the token for a window, then answers again', () => {
    const clock = { t: 1_000_000 };
    const faults = new SlackFaults(() => clock.t);
    faults.invalidAuth(10_000);
    expect(faults.decide({ method: 'chat.postMessage', args: {} }).answer?.body).toEqual({ ok: false, error: 'invalid_auth' });
    clock.t += 9_999;
    expect(faults.decide({ method: 'conversations.replies', args: {} }).answer?.body.error).toBe('invalid_auth');
    clock.t += 1;
    expect(faults.decide({ method: 'chat.postMessage', args: {} }).answer).toBeUndefined();
  });

  it('takes the latency it is given per call, added up across rules, and applies chance rules by its draws', () => {
    const draws = [0.5, 0.01];
    const faults = new SlackFaults(Date.now, () => draws.shift() ?? 1);
    faults.latency(() => 120);
    faults.latency(30, { methods: ['chat.update'] });
    faults.serverError({ chance: 0.02, times: 10 });
    const first = faults.decide({ method: 'chat.update', args: {} });
    expect(first).toEqual({ delayMs: 150 }); // draw 0.5: no 5xx
    const second = faults.decide({ method: 'chat.postMessage', args: {} });
    expect(second.delayMs).toBe(120);
    expect(second.answer?.status).toBe(503); // draw 0.01 < 0.02
  });

  it('delays the answer by the injected latency', async () => {
    let asked = 0;
    s.faults.latency(() => {
      asked++;
      return 5;
    });
    await web.chat.postMessage({ channel: CHANNEL, text: 'slow' });
    expect(asked).toBe(1);
    expect(s.faults.counts.get('chat.postMessage')).toBe(1);
  });

  it('serves conversations.history newest first and conversations.replies parent first, with metadata only when asked', async () => {
    const metadata = { event_type: 'caracal_run_dashboard', event_payload: { run_id: 'r1' } };
    const parent = await web.chat.postMessage({ channel: CHANNEL, text: 'dashboard', metadata });
    await web.chat.postMessage({ channel: CHANNEL, text: 'other' });
    await web.chat.postMessage({
      channel: CHANNEL,
      thread_ts: parent.ts!,
      text: 'entry 1',
      metadata: { event_type: 'caracal_log_entry', event_payload: { event_id: 1, part: 0 } },
    });
    await web.chat.postMessage({ channel: CHANNEL, thread_ts: parent.ts!, text: 'entry 2' });
    const history = await web.conversations.history({ channel: CHANNEL, include_all_metadata: true, limit: 100 });
    expect(history.messages?.map((m) => m.text)).toEqual(['other', 'dashboard']);
    expect(history.messages?.[1].metadata).toEqual(metadata);
    const bare = await web.conversations.history({ channel: CHANNEL });
    expect(bare.messages?.[1].metadata).toBeUndefined();
    const replies = await web.conversations.replies({ channel: CHANNEL, ts: parent.ts!, include_all_metadata: true, limit: 2 });
    expect(replies.messages?.map((m) => m.text)).toEqual(['dashboard', 'entry 1']);
    const rest = await web.conversations.replies({
      channel: CHANNEL,
      ts: parent.ts!,
      cursor: replies.response_metadata!.next_cursor!,
      limit: 2,
    });
    expect(rest.messages?.map((m) => m.text)).toEqual(['entry 2']);
  });
});
