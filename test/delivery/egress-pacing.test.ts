// Issue 14 item 2 at the one egress: a Retry-After seen by any caller holds back every caller's calls of that method
// in that channel, and direct posts (status reports, the timeline, details) take the channel's posting slot that the
// outbox also takes, so they share Slack's per-channel rate instead of racing it.
import { WebClient, type FetchFunction } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { egressFetch } from '../../src/delivery/egress-fetch.ts';
import { createPacer } from '../../src/delivery/pacer.ts';
import { scrubber } from '../../src/redact.ts';
import type { Db } from '../../src/store/db.ts';
import { testStateDb } from '../helpers/state.ts';

interface Sent {
  method: string;
  channel: string;
}

/** A Slack that answers 429 (Retry-After 30 s) to the first chat.postMessage in channel `limited`, ok to the rest. */
function slack(limited: string): { fetch: FetchFunction; sent: Sent[] } {
  const sent: Sent[] = [];
  let refused = false;
  const fetch: FetchFunction = (url, init) => {
    const method = String(url).split('/api/')[1] ?? '';
    const channel = new URLSearchParams(typeof init?.body === 'string' ? init.body : '').get('channel') ?? '';
    sent.push({ method, channel });
    if (method === 'chat.postMessage' && channel === limited && !refused) {
      refused = true;
      return Promise.resolve(
        new Response('{"ok":false,"error":"ratelimited"}', {
          status: 429,
          headers: { 'retry-after': '30', 'content-type': 'application/json' },
        }),
      );
    }
    return Promise.resolve(new Response('{"ok":true,"ts":"1.1"}', { headers: { 'content-type': 'application/json' } }));
  };
  return { fetch, sent };
}

const client = (fetch: FetchFunction) => new WebClient('xoxb-test', { fetch, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });

describe('the egress paces every caller with one pacer', () => {
  let state: { db: Db; drop(): Promise<void> };
  beforeAll(async () => {
    state = await testStateDb();
  });
  afterAll(async () => {
    await state.drop();
  });

  it('a Retry-After answered to one client holds back the other client in that channel and method only', async () => {
    const waits: number[] = [];
    const sleep = (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    };
    const pacer = createPacer({ db: state.db, postIntervalMs: 0, now: Date.now, sleep });
    const { fetch, sent } = slack('C-LIMITED');
    const scrub = scrubber([]);
    const outbox = client(egressFetch(scrub, fetch, { pacer, takeSlot: false, maxWaitMs: 10_000, sleep }));
    const reports = client(egressFetch(scrub, fetch, { pacer, takeSlot: true, maxWaitMs: 10_000, sleep }));

    await expect(outbox.chat.postMessage({ channel: 'C-LIMITED', text: 'entry' })).rejects.toMatchObject({
      code: 'slack_webapi_rate_limited_error',
    });
    // The report's post never reaches Slack while the channel is held: its client gets Slack's own 429, Retry-After included.
    await expect(reports.chat.postMessage({ channel: 'C-LIMITED', text: 'report' })).rejects.toMatchObject({
      code: 'slack_webapi_rate_limited_error',
      retryAfter: 30,
    });
    expect(sent.filter((s) => s.method === 'chat.postMessage' && s.channel === 'C-LIMITED')).toHaveLength(1);
    // Another channel, and another method in the same channel, are not held.
    await reports.chat.postMessage({ channel: 'C-OTHER', text: 'report' });
    await reports.chat.update({ channel: 'C-LIMITED', ts: '1.1', text: 'report, updated' });
    expect(sent.slice(1)).toEqual([
      { method: 'chat.postMessage', channel: 'C-OTHER' },
      { method: 'chat.update', channel: 'C-LIMITED' },
    ]);
    expect(waits).toEqual([]);
  });

  it("direct posts take the channel posting slot the outbox takes; the outbox's own posts do not take a second one", async () => {
    const waits: number[] = [];
    const sleep = (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    };
    const pacer = createPacer({ db: state.db, postIntervalMs: 1000, now: Date.now, sleep });
    const { fetch, sent } = slack('none');
    const scrub = scrubber([]);
    const outbox = client(egressFetch(scrub, fetch, { pacer, takeSlot: false, maxWaitMs: 10_000, sleep }));
    const reports = client(egressFetch(scrub, fetch, { pacer, takeSlot: true, maxWaitMs: 10_000, sleep }));
    const slot = async () =>
      (await state.db.query<{ next_slot: Date }>(`SELECT next_slot FROM slack_channels WHERE channel_id = 'C-PACED'`)).rows[0]?.next_slot;

    await outbox.chat.postMessage({ channel: 'C-PACED', text: 'entry' });
    expect(await slot()).toBeUndefined(); // the outbox reserves its slot itself, before it calls
    await reports.chat.postMessage({ channel: 'C-PACED', text: 'report 1' });
    const first = await slot();
    expect(first).toBeDefined();
    await reports.chat.postMessage({ channel: 'C-PACED', text: 'report 2' });
    // The second report waited for the slot after the first: about one interval, never more.
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(0);
    expect(waits[0]).toBeLessThanOrEqual(1000);
    expect((await slot()).getTime()).toBeGreaterThan(first.getTime());
    expect(sent).toHaveLength(3);
  });
});
