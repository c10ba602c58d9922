// Issue 14 items 1-3: per-message outcomes, channel pauses, 429/5xx without reordering, fenced bounded leases.
import nock from 'nock';
import { WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher, type RunRenderer } from '../../src/delivery/dispatcher.ts';
import { createRecoveryService, type RecoveryService } from '../../src/recovery/service.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics.ts';
import type { Db } from '../../src/store/db.ts';
import { beginAttempt, markDelivered, renewLease } from '../../src/store/deliveries.ts';
import { stateGauges } from '../../src/wiring/operations.ts';
import { pausedChannels } from '../../src/store/slack-channels.ts';
import { testStateDb } from '../helpers/state.ts';
import { captureSlackApi, type SlackCall } from '../helpers/slack-api.ts';

const render: RunRenderer = {
  dashboard: (run) => Promise.resolve({ text: `dashboard v${run.version}`, blocks: [] }),
  logEntry: (event) => Promise.resolve({ text: `entry ${event.type} ${event.type === 'note' ? event.data.text : ''}`, blocks: [] }),
};
let n = 0;

function dispatcher(db: Db, workerId: string, extra: Partial<Parameters<typeof createDispatcher>[0]> = {}) {
  const client = new WebClient('xoxb-test', { rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
  return createDispatcher({
    db,
    client,
    render,
    logger: createLogger({ level: 'silent' }),
    metrics: createMetrics(),
    workerId,
    settleMs: 5,
    postIntervalMs: 0,
    ...extra,
  });
}

function svc(db: Db): RecoveryService {
  return createRecoveryService({
    startPolicy: { who: 'anyone', drillChannels: [] },
    db,
    isApprover: () => Promise.resolve(true),
    now: () => new Date(),
    newId: () => `e${++n}${Date.now().toString(36)}`,
    policy: {
      freshnessMs: 300_000,
      approvalsRequired: { freeze: 1, storage: 1, services: 1, evidence: 1, safety: 1, resume: 2 },
      requiredChecks: () => [],
    },
  });
}

const threadTexts = (calls: SlackCall[]) =>
  calls.filter((c) => c.method === 'chat.postMessage' && c.body.thread_ts).map((c) => String(c.body.text));

describe('one Slack egress: per-message outcomes', () => {
  let state: { db: Db; drop(): Promise<void> };
  beforeAll(async () => {
    state = await testStateDb();
  });
  afterAll(async () => {
    await state.drop();
  });
  afterEach(() => nock.cleanAll());

  async function runWithNotes(channelId: string, notes: string[]): Promise<{ runId: string; s: RecoveryService }> {
    const s = svc(state.db);
    const r = await s.startRun({ channelId, title: 't', userId: 'U1' });
    const runId = r.ok ? r.run.id : '';
    for (const text of notes) await s.addEvent(channelId, 'U1', 'note', { text });
    return { runId, s };
  }

  const rows = async (runId: string) =>
    (
      await state.db.query<{ status: string; last_error: string | null; message_ts: string | null }>(
        `SELECT status, last_error, message_ts FROM deliveries WHERE run_id = $1 AND kind = 'thread' ORDER BY id`,
        [runId],
      )
    ).rows;

  it('a refused entry fails alone, is replaced by a placeholder, and the later ones are delivered in order', async () => {
    const { runId } = await runWithNotes('C-E1', ['first refuse-me', 'second', 'third']);
    const calls = captureSlackApi((c) =>
      String(c.body.text).includes('refuse-me') ? [200, { ok: false, error: 'invalid_blocks' }] : undefined,
    );
    await dispatcher(state.db, 'e1').runNow();
    const texts = threadTexts(calls);
    expect(texts[0]).toBe('entry run_started ');
    expect(texts[1]).toContain('refuse-me'); // the refused attempt
    expect(texts[2]).toMatch(/could not be shown here: Slack refused it \(`invalid_blocks`\).*\/caracal timeline/);
    expect(texts.slice(3)).toEqual(['entry note second', 'entry note third']);
    const r = await rows(runId);
    expect(r.map((x) => x.status)).toEqual(['done', 'failed', 'done', 'done']);
    expect(r[1].last_error).toBe('invalid_blocks');
    expect(r[1].message_ts).toBe(calls.filter((c) => c.method === 'chat.postMessage')[3].reply.ts); // the placeholder stands in its place
  });

  it('a channel-wide refusal pauses the channel (nothing dropped), shows in the gauge, and resumes after a probe', async () => {
    const metrics = createMetrics();
    const { runId } = await runWithNotes('C-E2', ['a', 'b']);
    const d = dispatcher(state.db, 'e2', { metrics, pauseProbeMs: 60_000 });
    metrics.observeDeliveries(stateGauges(state.db));
    let refusing = true;
    const calls = captureSlackApi(() => (refusing ? [200, { ok: false, error: 'invalid_auth' }] : undefined));
    await d.runNow();
    expect(calls).toHaveLength(1);
    expect((await rows(runId)).every((x) => x.status === 'pending')).toBe(true);
    expect((await pausedChannels(state.db)).map((p) => [p.channelId, p.error])).toContainEqual(['C-E2', 'invalid_auth']);
    expect(await metrics.registry.getSingleMetricAsString('caracal_chatops_slack_channels_paused')).toMatch(
      /caracal_chatops_slack_channels_paused \d+/,
    );
    // Not probed before its time, even though its rows are due.
    await state.db.query(`UPDATE deliveries SET next_attempt_at = now() WHERE run_id = $1`, [runId]);
    await d.runNow();
    expect(calls).toHaveLength(1);
    // The probe is due and Slack accepts the channel again: everything goes out, in order, and the pause lifts.
    refusing = false;
    await state.db.query(`UPDATE slack_channels SET next_probe_at = now() WHERE channel_id = 'C-E2'`);
    await d.runNow();
    expect(threadTexts(calls)).toEqual(['entry run_started ', 'entry note a', 'entry note b']);
    expect((await rows(runId)).every((x) => x.status === 'done')).toBe(true);
    expect((await pausedChannels(state.db)).map((p) => p.channelId)).not.toContain('C-E2');
  });

  it('a 5xx in the middle of a thread stops the pass: the later entries never overtake the failed one', async () => {
    const { runId } = await runWithNotes('C-E3', ['a', 'b', 'c']);
    let failed = 0;
    const calls = captureSlackApi((c) =>
      String(c.body.text) === 'entry note b' && failed++ === 0 ? [503, { ok: false, error: 'service_unavailable' }] : undefined,
    );
    const d = dispatcher(state.db, 'e3');
    await d.runNow();
    expect((await rows(runId)).map((x) => x.status)).toEqual(['done', 'done', 'pending', 'pending']);
    await state.db.query(`UPDATE deliveries SET next_attempt_at = now() WHERE run_id = $1`, [runId]);
    await d.runNow();
    expect(threadTexts(calls)).toEqual(['entry run_started ', 'entry note a', 'entry note b', 'entry note b', 'entry note c']);
  });

  it('a 429 on a thread post records Retry-After for that method and channel only', async () => {
    const { runId } = await runWithNotes('C-E4', ['a']);
    const calls = captureSlackApi((c) =>
      c.body.thread_ts ? [429, { ok: false, error: 'ratelimited' }, { 'retry-after': '30' }] : undefined,
    );
    await dispatcher(state.db, 'e4').runNow();
    const due = await state.db.query<{ later: boolean }>(
      `SELECT bool_and(next_attempt_at > now() + interval '20 s') AS later FROM deliveries WHERE run_id = $1 AND status = 'pending'`,
      [runId],
    );
    expect(due.rows[0].later).toBe(true);
    expect(calls.filter((c) => c.body.thread_ts)).toHaveLength(1); // not the second entry after the 429
  });

  it('works through a long queue in bounded batches, in order', async () => {
    const { runId } = await runWithNotes('C-E5', ['1', '2', '3', '4', '5', '6', '7']);
    const calls = captureSlackApi();
    await dispatcher(state.db, 'e5', { batch: 3 }).runNow();
    expect(threadTexts(calls)).toEqual(['entry run_started ', ...['1', '2', '3', '4', '5', '6', '7'].map((t) => `entry note ${t}`)]);
    expect((await rows(runId)).every((x) => x.status === 'done')).toBe(true);
  });

  it('a replica that lost its lease can neither mark nor send (fencing)', async () => {
    const { runId } = await runWithNotes('C-E6', ['slow']);
    // Replica A takes the run, then stalls past its lease (a slow render or Slack call); B takes over and delivers.
    let release: () => void = () => undefined;
    const stalled = new Promise<void>((r) => (release = r));
    let stalledOnce = false;
    const slowRender: RunRenderer = {
      dashboard: (run) => render.dashboard(run),
      logEntry: async (e, run) => {
        if (e.type === 'note' && e.data.text === 'slow' && !stalledOnce) {
          stalledOnce = true;
          await stalled;
        }
        return render.logEntry(e, run);
      },
    };
    const calls = captureSlackApi();
    const clock = { t: Date.now() };
    const a = dispatcher(state.db, 'replica-a', { render: slowRender, now: () => clock.t });
    const passA = a.runNow();
    while (!stalledOnce) await new Promise((r) => setTimeout(r, 5));
    // A's stall outlasts its lease (30 s, on its own clock and in the database).
    clock.t += 31_000;
    await state.db.query(`UPDATE runs SET delivery_locked_until = now() - interval '1 s' WHERE id = $1`, [runId]);
    await dispatcher(state.db, 'replica-b').runNow();
    release();
    await passA;
    expect(threadTexts(calls)).toEqual(['entry run_started ', 'entry note slow']);
    // And at the store level: every write with a stale fence is refused.
    const [row] = (
      await state.db.query<{ fence: string }>(
        `UPDATE runs SET delivery_locked_by = 'x', delivery_fence = delivery_fence + 1, delivery_locked_until = now() + interval '30 s' WHERE id = $1 RETURNING delivery_fence AS fence`,
        [runId],
      )
    ).rows;
    const stale = { runId, channelId: 'C-E6', workerId: 'x', fence: Number(row.fence) };
    expect(await renewLease(state.db, stale, 30_000)).toBe(true);
    await state.db.query(`UPDATE runs SET delivery_fence = delivery_fence + 1 WHERE id = $1`, [runId]); // another claim
    const [delivery] = (await state.db.query<{ id: string }>(`SELECT id FROM deliveries WHERE run_id = $1 LIMIT 1`, [runId])).rows;
    expect(await renewLease(state.db, stale, 30_000)).toBe(false);
    expect(await beginAttempt(state.db, stale, [Number(delivery.id)])).toBe(false);
    expect(await markDelivered(state.db, stale, [Number(delivery.id)])).toBe(false);
  });
});
