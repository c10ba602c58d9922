// Issue 14 item 9: delivery gauges, /metrics behind a bearer, retention, bounded shutdown, paused channels in /readyz.
import nock from 'nock';
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../src/delivery/dispatcher.ts';
import { sweep } from '../../src/delivery/retention.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics.ts';
import { createRecoveryService } from '../../src/recovery/service.ts';
import type { Db } from '../../src/store/db.ts';
import { captureSlackApi, startTestBot, testStateDb, type TestBot } from '../helpers/slack.ts';

describe('operations', () => {
  let state: { db: Db; drop(): Promise<void> };
  let bot: TestBot;
  beforeAll(async () => {
    state = await testStateDb();
    bot = await startTestBot({ db: state.db, checks: [], env: { CHATOPS_METRICS_TOKEN: 'metrics-token-77' } });
  });
  afterAll(async () => {
    await bot.stop();
    nock.cleanAll();
    await state.drop();
  });

  it('serves /metrics only with its bearer, with the delivery gauges', async () => {
    expect((await fetch(`${bot.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${bot.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const res = await fetch(`${bot.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-77' } });
    expect(res.status).toBe(200);
    const body = await res.text();
    for (const name of [
      'caracal_chatops_deliveries_queued',
      'caracal_chatops_deliveries_failed',
      'caracal_chatops_deliveries_oldest_queued_seconds',
      'caracal_chatops_inbox_requests',
      'caracal_chatops_inbox_oldest_seconds',
      'caracal_chatops_slack_channels_paused',
    ]) {
      expect(body).toMatch(new RegExp(`^${name} \\d`, 'm'));
    }
  });

  it('says in /readyz which channels are paused, and stays ready', async () => {
    await state.db.query(
      `INSERT INTO slack_channels (channel_id, paused_error, paused_since, next_probe_at, probes) VALUES ('CPAUSED', 'not_in_channel', now(), now() + interval '1 h', 1)`,
    );
    const res = await fetch(`${bot.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^ready\nslack channel CPAUSED paused since .*: not_in_channel/);
    await state.db.query(`DELETE FROM slack_channels WHERE channel_id = 'CPAUSED'`);
  });

  it('deletes reports and delivered rows older than the retention, and keeps the rest', async () => {
    const s = createRecoveryService({
      startPolicy: { who: 'anyone', drillChannels: [] },
      db: state.db,
      isApprover: () => Promise.resolve(true),
      now: () => new Date(),
      newId: () => `op${Date.now().toString(36)}`,
      policy: {
        freshnessMs: 1,
        approvalsRequired: { freeze: 1, storage: 1, services: 1, evidence: 1, safety: 1, resume: 2 },
        requiredChecks: () => [],
      },
    });
    const r = await s.startRun({ channelId: 'CRET', title: 't', userId: 'U1' });
    const runId = r.ok ? r.run.id : '';
    await state.db.query(
      `UPDATE deliveries SET status = 'done', delivered_at = now() - interval '40 days' WHERE run_id = $1 AND kind = 'thread'`,
      [runId],
    );
    await state.db.query(
      `INSERT INTO reports (id, channel_id, view, created_at) VALUES ('old1', 'CRET', '{}', now() - interval '31 days'), ('new1', 'CRET', '{}', now())`,
    );
    const gone = await sweep(state.db, 30);
    expect(gone.reports).toBe(1);
    expect(gone.deliveries).toBeGreaterThanOrEqual(1);
    expect((await state.db.query(`SELECT id FROM reports WHERE channel_id = 'CRET'`)).rows).toEqual([{ id: 'new1' }]);
    expect((await state.db.query(`SELECT 1 FROM deliveries WHERE run_id = $1 AND kind = 'dashboard'`, [runId])).rowCount).toBe(1); // pending: kept
    expect((await state.db.query(`SELECT 1 FROM events WHERE run_id = $1`, [runId])).rowCount).toBe(1); // the evidence is never pruned
  });

  it('a bounded stop leaves a stuck delivery pass behind; the next replica delivers its rows', async () => {
    // A state database of its own: the test bot's dispatcher, polling the shared one, could deliver the run before
    // the stuck replica takes it (it then never starts rendering, and the test waited forever).
    const own = await testStateDb();
    const db = own.db;
    const s = createRecoveryService({
      startPolicy: { who: 'anyone', drillChannels: [] },
      db,
      isApprover: () => Promise.resolve(true),
      now: () => new Date(),
      newId: () => `sd${Date.now().toString(36)}`,
      policy: {
        freshnessMs: 1,
        approvalsRequired: { freeze: 1, storage: 1, services: 1, evidence: 1, safety: 1, resume: 2 },
        requiredChecks: () => [],
      },
    });
    const r = await s.startRun({ channelId: 'CSTOP', title: 't', userId: 'U1' });
    const runId = r.ok ? r.run.id : '';
    const calls = captureSlackApi();
    const client = new WebClient('xoxb-test', { rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
    let rendering = false;
    const stuck = createDispatcher({
      db,
      client,
      logger: createLogger({ level: 'silent' }),
      metrics: createMetrics(),
      workerId: 'stuck',
      postIntervalMs: 0,
      render: {
        dashboard: () => {
          rendering = true;
          return new Promise(() => undefined);
        },
        logEntry: () => new Promise(() => undefined),
      },
    });
    void stuck.runNow();
    while (!rendering) await new Promise((res) => setTimeout(res, 5));
    await stuck.stop(50); // resolves although the pass never ends
    await db.query(`UPDATE runs SET delivery_locked_until = now() - interval '1 s' WHERE id = $1`, [runId]);
    const next = createDispatcher({
      db,
      client,
      logger: createLogger({ level: 'silent' }),
      metrics: createMetrics(),
      workerId: 'next',
      postIntervalMs: 0,
      render: {
        dashboard: () => Promise.resolve({ text: 'dash', blocks: [] }),
        logEntry: (e) => Promise.resolve({ text: e.type, blocks: [] }),
      },
    });
    await next.runNow();
    expect(calls.filter((c) => c.body.channel === 'CSTOP').map((c) => String(c.body.text))).toEqual(['dash', 'run_started']);
    await next.stop();
    await own.drop();
  });
});
