// The outbox and alert delivery post under a lease checked before each call. A call that waited inside the fetch for
// another caller's Retry-After could land after the lease had passed to another replica, which had read the thread
// back without it and posted the entry again (a soak found a log entry twice). Their client never waits inside the
// fetch, and its calls end within a third of the lease; direct posts still wait for the channel.
import { WebClient, type FetchFunction } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromObject } from '../../src/config.ts';
import type { Db } from '../../src/store/db.ts';
import { createSlackEgress } from '../../src/wiring/slack-egress.ts';
import { testStateDb } from '../helpers/state.ts';

/** Slack answering 429 (Retry-After 5 s) to the first chat.postMessage, ok to the rest; what reached it. */
function slack(): { fetch: FetchFunction; posts: () => number } {
  let posts = 0;
  const fetch: FetchFunction = () => {
    posts++;
    if (posts === 1)
      return Promise.resolve(
        new Response('{"ok":false,"error":"ratelimited"}', {
          status: 429,
          headers: { 'retry-after': '5', 'content-type': 'application/json' },
        }),
      );
    return Promise.resolve(new Response('{"ok":true,"ts":"1.1"}', { headers: { 'content-type': 'application/json' } }));
  };
  return { fetch, posts: () => posts };
}

describe('the leased callers’ Slack client', () => {
  let state: { db: Db; drop(): Promise<void> };
  beforeAll(async () => {
    state = await testStateDb();
  });
  afterAll(async () => {
    await state.drop();
  });

  it('never waits inside a call for a Retry-After, and times out within a third of the delivery lease', async () => {
    const config = configFromObject(
      { slack: { deliveryLeaseMs: 6000 } },
      { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'secret-egress-test' },
    );
    const { fetch, posts } = slack();
    const egress = createSlackEgress({ config, db: state.db, clientOptions: { fetch } });

    expect(egress.selfPacedOptions.timeout).toBe(2000);
    expect(egress.clientOptions.timeout).toBe(10_000);

    const direct = new WebClient('xoxb-test', { ...egress.clientOptions, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
    await expect(direct.chat.postMessage({ channel: 'C1', text: 'a report' })).rejects.toMatchObject({
      code: 'slack_webapi_rate_limited_error',
    });
    // The channel is held for 5 s now. The outbox's post is told so at once, as Slack's own 429: it never reaches
    // Slack (a call that waited would post once the hold ended).
    const outbox = new WebClient('xoxb-test', { ...egress.selfPacedOptions, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
    await expect(outbox.chat.postMessage({ channel: 'C1', text: 'a log entry' })).rejects.toMatchObject({ retryAfter: 5 });
    expect(posts()).toBe(1);
  });
});
