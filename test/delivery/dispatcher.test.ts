import nock from 'nock';
import { WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher, type RunRenderer } from '../../src/delivery/dispatcher.ts';
import { createRecoveryService, type RecoveryService } from '../../src/recovery/service.ts';
import type { GatePolicy } from '../../src/recovery/machine.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics.ts';
import type { Db } from '../../src/store/db.ts';
import { testStateDb } from '../helpers/state.ts';
import { captureSlackApi, type SlackCall } from '../helpers/slack-api.ts';
import { waitFor } from '../helpers/slack.ts';

const policy: GatePolicy = {
  freshnessMs: 300_000,
  approvalsRequired: { freeze: 1, storage: 1, services: 1, evidence: 1, safety: 1, resume: 2 },
  requiredChecks: () => [],
};
const render: RunRenderer = {
  dashboard: (run) => Promise.resolve({ text: `dashboard v${run.version}`, blocks: [] }),
  logEntry: (event) => Promise.resolve({ text: `entry ${event.type} #${event.id}`, blocks: [] }),
};
const logger = createLogger({ level: 'silent' });
let n = 0;

function dispatcher(db: Db, workerId: string) {
  const client = new WebClient('xoxb-test', { rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
  return createDispatcher({ db, client, render, logger, metrics: createMetrics(), workerId, settleMs: 5, postIntervalMs: 0 });
}

function svc(db: Db): RecoveryService {
  return createRecoveryService({
    startPolicy: { who: 'anyone', drillChannels: [] },
    db,
    policy,
    isApprover: () => Promise.resolve(true),
    now: () => new Date(),
    newId: () => `d${++n}${Date.now().toString(36)}`,
  });
}

const entries = (calls: SlackCall[]) =>
  calls.filter((c) => c.method === 'chat.postMessage' && c.body.thread_ts).map((c) => String(c.body.text));

describe('delivery dispatcher', () => {
  let state: { db: Db; drop(): Promise<void> };
  beforeAll(async () => {
    state = await testStateDb();
  });
  afterAll(async () => {
    await state.drop();
  });
  afterEach(() => nock.cleanAll());

  it('posts the dashboard first, then the thread entries in order, each once', async () => {
    const calls = captureSlackApi();
    const s = svc(state.db);
    const r = await s.startRun({ channelId: 'C-D1', title: 't', userId: 'U1' });
    const runId = r.ok ? r.run.id : '';
    await s.act(runId, 'freeze', { type: 'claim' }, 'U1');
    await s.addEvent('C-D1', 'U1', 'note', { text: 'hi' });
    const d = dispatcher(state.db, 'w1');
    await d.runNow();
    await d.runNow();
    expect(calls[0].method).toBe('chat.postMessage');
    expect(calls[0].body.thread_ts).toBeUndefined();
    expect(entries(calls).map((t) => t.split(' #')[0])).toEqual(['entry run_started', 'entry gate_claimed', 'entry note']);
    const threadTs = calls.find((c) => c.body.thread_ts)!.body.thread_ts;
    expect(threadTs).toBe('1764320000.000001');
  });

  it('coalesces a burst of transitions on one run into few dashboard updates', async () => {
    const s = svc(state.db);
    const r = await s.startRun({ channelId: 'C-D2', title: 't', userId: 'U1' });
    const runId = r.ok ? r.run.id : '';
    const d = dispatcher(state.db, 'w2');
    const calls = captureSlackApi();
    await d.runNow();
    const before = calls.length;
    for (let i = 0; i < 20; i++) await s.act(runId, 'freeze', { type: 'tick', item: 'rollouts', checked: i % 2 === 0 }, `U${i}`);
    await d.runNow();
    const updates = calls.slice(before).filter((c) => c.method === 'chat.update');
    expect(updates).toHaveLength(1);
    expect(entries(calls.slice(before))).toHaveLength(20);
  });

  it('honours 429 Retry-After, then delivers what was pending', async () => {
    const s = svc(state.db);
    const r = await s.startRun({ channelId: 'C-D3', title: 't', userId: 'U1' });
    const runId = r.ok ? r.run.id : '';
    let limited = 0;
    const calls = captureSlackApi(() => (limited++ === 0 ? [429, { ok: false, error: 'ratelimited' }, { 'retry-after': '1' }] : undefined));
    const d = dispatcher(state.db, 'w3');
    await d.runNow();
    expect(calls).toHaveLength(1);
    const due = await state.db.query<{ next: Date; err: string }>(
      `SELECT min(next_attempt_at) AS next, max(last_error) AS err FROM deliveries WHERE run_id = $1 AND status = 'pending'`,
      [runId],
    );
    expect(due.rows[0].err).toBe('slack_webapi_rate_limited_error');
    expect(new Date(due.rows[0].next).getTime()).toBeGreaterThan(Date.now() + 300);
    await d.runNow();
    expect(calls).toHaveLength(1); // not before Retry-After
    await new Promise((res) => setTimeout(res, 1100));
    await d.runNow();
    expect(calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(3);
  });

  it('an entry queued while an earlier one waits for Retry-After waits behind it: the thread is never reordered', async () => {
    const s = svc(state.db);
    const r = await s.startRun({ channelId: 'C-D3b', title: 't', userId: 'U1' });
    const runId = r.ok ? r.run.id : '';
    const d = dispatcher(state.db, 'w3b');
    captureSlackApi();
    await d.runNow(); // the dashboard and run_started
    nock.cleanAll();
    let limited = 0;
    const calls = captureSlackApi((c) =>
      c.body.thread_ts && limited++ === 0 ? [429, { ok: false, error: 'ratelimited' }, { 'retry-after': '30' }] : undefined,
    );
    await s.act(runId, 'freeze', { type: 'claim' }, 'U1');
    await d.runNow(); // the claim entry is refused with 429 and waits 30 s
    await s.addEvent('C-D3b', 'U2', 'note', { text: 'queued meanwhile' });
    await d.runNow();
    const posted = () => entries(calls.filter((c) => c.reply.ok === true));
    expect(posted()).toEqual([]); // the note did not overtake the claim
    expect(entries(calls).map((t) => t.split(' #')[0])).toEqual(['entry gate_claimed']); // only the claim's refused attempt
    await state.db.query(`UPDATE deliveries SET next_attempt_at = now() WHERE run_id = $1 AND status = 'pending'`, [runId]); // Retry-After has passed
    const fresh = dispatcher(state.db, 'w3c'); // Retry-After is also remembered in memory by the first one
    await fresh.runNow();
    expect(posted().map((t) => t.split(' #')[0])).toEqual(['entry gate_claimed', 'entry note']);
  });

  it('after a crash between commit and delivery, a new instance delivers every pending entry exactly once', async () => {
    const s = svc(state.db);
    const r = await s.startRun({ channelId: 'C-D4', title: 't', userId: 'U1' });
    const runId = r.ok ? r.run.id : '';
    // The first instance had Slack fail on it, then died holding its lease.
    const failing = captureSlackApi(() => [500, { ok: false }]);
    const dead = dispatcher(state.db, 'dead-worker');
    await dead.runNow();
    expect(failing.length).toBeGreaterThan(0);
    nock.cleanAll();
    await state.db.query(`UPDATE deliveries SET next_attempt_at = now() WHERE run_id = $1`, [runId]);
    await state.db.query(
      `UPDATE runs SET delivery_locked_by = 'dead-worker', delivery_locked_until = now() - interval '1 second' WHERE id = $1`,
      [runId],
    );
    await s.addEvent('C-D4', 'U2', 'note', { text: 'after crash' });
    const calls = captureSlackApi();
    const a = dispatcher(state.db, 'replica-a');
    const b = dispatcher(state.db, 'replica-b');
    await Promise.all([a.runNow(), b.runNow(), a.runNow(), b.runNow()]);
    await Promise.all([a.runNow(), b.runNow()]);
    expect(entries(calls).map((t) => t.split(' #')[0])).toEqual(['entry run_started', 'entry note']);
    const pending = await state.db.query(`SELECT id FROM deliveries WHERE run_id = $1 AND status <> 'done'`, [runId]);
    expect(pending.rows).toHaveLength(0);
  });

  it('posts the dashboard again when it was deleted', async () => {
    const s = svc(state.db);
    const r = await s.startRun({ channelId: 'C-D5', title: 't', userId: 'U1' });
    const runId = r.ok ? r.run.id : '';
    const d = dispatcher(state.db, 'w5');
    captureSlackApi();
    await d.runNow();
    nock.cleanAll();
    const calls = captureSlackApi((c) => (c.method === 'chat.update' ? [200, { ok: false, error: 'message_not_found' }] : undefined));
    await s.act(runId, 'freeze', { type: 'claim' }, 'U2');
    await d.runNow();
    expect(calls.map((c) => c.method)).toEqual(['chat.update', 'chat.postMessage', 'chat.postMessage']);
    const run = await s.load(runId);
    expect(run!.dashboardTs).toBe(calls[1].reply.ts);
  });

  it('a run that waits does not hold back another run: entries queued meanwhile elsewhere go out', async () => {
    // C-SLOW's entries cannot be rendered until released (a Slack call that hangs, for this run only).
    let release: () => void = () => undefined;
    const slowGate = new Promise<void>((r) => (release = r));
    const gated: RunRenderer = {
      dashboard: (run) => render.dashboard(run),
      logEntry: async (event, run) => {
        if (run.channelId === 'C-SLOW' && event.type === 'note') await slowGate;
        return render.logEntry(event, run);
      },
    };
    const calls = captureSlackApi();
    const client = new WebClient('xoxb-test', { rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
    const d = createDispatcher({
      db: state.db,
      client,
      render: gated,
      logger,
      metrics: createMetrics(),
      workerId: 'w6',
      postIntervalMs: 0,
    });
    const s = svc(state.db);
    await s.startRun({ channelId: 'C-SLOW', title: 't', userId: 'U1' });
    await s.startRun({ channelId: 'C-FAST', title: 't', userId: 'U1' });
    await d.runNow(); // both dashboards and their first entries
    const notes = (channel: string) =>
      calls.filter((c) => c.method === 'chat.postMessage' && c.body.channel === channel && String(c.body.text).startsWith('entry note'));

    await s.addEvent('C-SLOW', 'U1', 'note', { text: 'stuck' });
    await s.addEvent('C-FAST', 'U1', 'note', { text: 'first' });
    const draining = d.runNow();
    await waitFor(() => notes('C-FAST').length === 1);
    // Queued while C-SLOW is still being delivered: it goes out without waiting for C-SLOW.
    await s.addEvent('C-FAST', 'U1', 'note', { text: 'second' });
    void d.runNow();
    await waitFor(() => notes('C-FAST').length === 2);
    expect(notes('C-SLOW')).toHaveLength(0);

    release();
    await draining;
    await d.runNow();
    expect(notes('C-SLOW')).toHaveLength(1);
    await d.stop();
  });
});
