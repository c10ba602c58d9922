// The one read-back the dashboards, alert groups and scheduled reports share before posting again: found by the
// metadata the message carries, only among this bot's own messages, from a minute before it could have been posted;
// a failure that may pass is thrown (retried later), a lasting one means "post it again".
import { WebClient } from '@slack/web-api';
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { findEarlierPost } from '../../src/delivery/readback.ts';
import { createMetrics } from '../../src/metrics.ts';
import { captureSlackApi } from '../helpers/slack-api.ts';

const client = new WebClient('xoxb-test', { retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
const meta = (runId: string) => ({ event_type: 'caracal_run_dashboard', event_payload: { run_id: runId } });
const since = new Date('2026-11-28T12:00:00Z');
const query = { channel: 'C1', eventType: 'caracal_run_dashboard', key: 'run_id', value: 'R1', lookback: 100, since, botId: 'BME' };

describe('findEarlierPost', () => {
  afterEach(() => nock.cleanAll());

  it("finds the bot's own message with that metadata, never another app's copy of it", async () => {
    const calls = captureSlackApi(() => [
      200,
      {
        ok: true,
        messages: [
          { ts: '1.1', bot_id: 'BOTHER', metadata: meta('R1') },
          { ts: '1.2', bot_id: 'BME', metadata: meta('R2') },
          { ts: '1.3', bot_id: 'BME', metadata: meta('R1') },
        ],
      },
    ]);
    const unused = () => expect.unreachable('the channel was read');
    expect(await findEarlierPost(client, createMetrics(), query, unused)).toBe('1.3');
    expect(await findEarlierPost(client, createMetrics(), { ...query, value: 'R3' }, unused)).toBeUndefined();
    expect(calls[0].body).toMatchObject({
      channel: 'C1',
      oldest: String(since.getTime() / 1000 - 60),
      limit: '100',
      include_all_metadata: 'true',
    });
  });

  it('a lasting refusal answers "not posted" and says why; one that may pass is thrown', async () => {
    captureSlackApi(() => [200, { ok: false, error: 'missing_scope' }]);
    const told: string[] = [];
    expect(await findEarlierPost(client, createMetrics(), query, (code) => told.push(code))).toBeUndefined();
    expect(told).toEqual(['missing_scope']);
    nock.cleanAll();
    captureSlackApi(() => [503, { ok: false }]);
    await expect(findEarlierPost(client, createMetrics(), query, (code) => told.push(code))).rejects.toMatchObject({
      code: 'slack_webapi_http_error',
    });
    expect(told).toEqual(['missing_scope']);
  });
});
