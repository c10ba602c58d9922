// A log entry whose earlier attempt may have reached Slack unrecorded (the replica died between Slack's answer and its
// commit, or the call got no clear answer) is looked up in the thread before it is posted again (found by the soak).
import nock from 'nock';
import { WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../src/delivery/dispatcher.ts';
import { createRecoveryService } from '../../src/recovery/service.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics.ts';
import type { Db } from '../../src/store/db.ts';
import { beginAttempt, takeDue, type Lease } from '../../src/store/deliveries.ts';
import { testStateDb } from '../helpers/state.ts';
import { captureSlackApi, type SlackCall } from '../helpers/slack-api.ts';

let n = 0;
const render = {
  dashboard: () => Promise.resolve({ text: 'dashboard', blocks: [] }),
  logEntry: (event: { type: string }) => Promise.resolve({ text: `entry ${event.type}`, blocks: [] }),
};

function dispatcher(db: Db) {
  const client = new WebClient('xoxb-test', { rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
  return createDispatcher({
    db,
    client,
    render,
    logger: createLogger({ level: 'silent' }),
    metrics: createMetrics(),
    workerId: `w${++n}`,
    settleMs: 5,
    postIntervalMs: 0,
  });
}

const thread = (eventId: number | undefined): SlackCall['reply'] => ({
  ok: true,
  messages: [
    { ts: '1764320000.000001' },
    ...(eventId ? [{ ts: '1764320099.000009', metadata: { event_type: 'caracal_log_entry', event_payload: { event_id: eventId } } }] : []),
  ],
  response_metadata: { next_cursor: '' },
});

describe('delivery after an attempt that may have reached Slack', () => {
  let state: { db: Db; drop(): Promise<void> };
  beforeAll(async () => {
    state = await testStateDb();
  });
  afterAll(async () => {
    await state.drop();
  });
  afterEach(() => nock.cleanAll());

  /** A run with its dashboard posted and one note whose delivery a dying replica took (and maybe posted). */
  async function noteInDoubt(channelId: string): Promise<{ eventId: number }> {
    const s = createRecoveryService({
      startPolicy: { who: 'anyone', drillChannels: [] },
      db: state.db,
      policy: {
        freshnessMs: 1,
        approvalsRequired: { freeze: 1, storage: 1, services: 1, evidence: 1, safety: 1, resume: 2 },
        requiredChecks: () => [],
      },
      isApprover: () => Promise.resolve(true),
      now: () => new Date(),
      newId: () => `rb${++n}${Date.now().toString(36)}`,
    });
    const r = await s.startRun({ channelId, title: 't', userId: 'U1' });
    const runId = r.ok ? r.run.id : '';
    captureSlackApi();
    await dispatcher(state.db).runNow();
    nock.cleanAll();
    await s.addEvent(channelId, 'U2', 'note', { text: 'x' });
    // A replica takes the note and calls Slack, then dies: its attempt is never recorded and its lease lapses.
    const [row] = (
      await state.db.query<{ fence: string }>(
        `UPDATE runs SET delivery_locked_by = 'dying', delivery_locked_until = now() + interval '30 s', delivery_fence = delivery_fence + 1 WHERE id = $1 RETURNING delivery_fence AS fence`,
        [runId],
      )
    ).rows;
    const lease: Lease = { runId, channelId, workerId: 'dying', fence: Number(row.fence) };
    const [taken] = await takeDue(state.db, lease, 10);
    await beginAttempt(state.db, lease, [taken.id]);
    await state.db.query(`UPDATE runs SET delivery_locked_until = now() - interval '1 s' WHERE id = $1`, [runId]);
    return { eventId: taken.eventId! };
  }

  it('does not post again an entry the thread already has, and records its ts', async () => {
    const { eventId } = await noteInDoubt('C-RB1');
    const calls = captureSlackApi((c) => (c.method === 'conversations.replies' ? [200, thread(eventId)] : undefined));
    await dispatcher(state.db).runNow();
    expect(calls.map((c) => c.method)).toEqual(['conversations.replies']);
    expect(calls[0].body).toMatchObject({ channel: 'C-RB1', ts: '1764320000.000001', include_all_metadata: 'true' });
    const row = await state.db.query<{ status: string; message_ts: string; maybe_posted: boolean }>(
      'SELECT status, message_ts, maybe_posted FROM deliveries WHERE event_id = $1',
      [eventId],
    );
    expect(row.rows[0]).toEqual({ status: 'done', message_ts: '1764320099.000009', maybe_posted: false });
  });

  it('posts it, once and with its metadata, when the thread does not have it', async () => {
    const { eventId } = await noteInDoubt('C-RB2');
    const calls = captureSlackApi((c) => (c.method === 'conversations.replies' ? [200, thread(undefined)] : undefined));
    await dispatcher(state.db).runNow();
    expect(calls.map((c) => c.method)).toEqual(['conversations.replies', 'chat.postMessage']);
    expect(JSON.parse(String(calls[1].body.metadata))).toEqual({
      event_type: 'caracal_log_entry',
      event_payload: { event_id: eventId, part: 0 },
    });
  });

  it('posts it anyway when the thread cannot be read (no history scope): a duplicate rather than a lost entry', async () => {
    await noteInDoubt('C-RB3');
    const calls = captureSlackApi((c) => (c.method === 'conversations.replies' ? [200, { ok: false, error: 'missing_scope' }] : undefined));
    await dispatcher(state.db).runNow();
    expect(calls.map((c) => c.method)).toEqual(['conversations.replies', 'chat.postMessage']);
  });

  it('keeps it marked when the look-up is rate limited, and does not post it yet', async () => {
    const { eventId } = await noteInDoubt('C-RB4');
    const calls = captureSlackApi((c) =>
      c.method === 'conversations.replies' ? [429, { ok: false, error: 'ratelimited' }, { 'retry-after': '1' }] : undefined,
    );
    await dispatcher(state.db).runNow();
    expect(calls.map((c) => c.method)).toEqual(['conversations.replies']);
    const row = await state.db.query<{ status: string; maybe_posted: boolean }>(
      'SELECT status, maybe_posted FROM deliveries WHERE event_id = $1',
      [eventId],
    );
    expect(row.rows[0]).toEqual({ status: 'pending', maybe_posted: true });
  });

  it('marks an entry whose post got no clear answer (HTTP 500), and does not look up entries never attempted', async () => {
    const { eventId } = await noteInDoubt('C-RB5');
    await state.db.query('UPDATE deliveries SET maybe_posted = false WHERE event_id = $1', [eventId]); // as if never taken
    const failing = captureSlackApi(() => [500, { ok: false }]);
    await dispatcher(state.db).runNow();
    expect(failing.map((c) => c.method)).toEqual(['chat.postMessage']);
    const row = await state.db.query<{ maybe_posted: boolean }>('SELECT maybe_posted FROM deliveries WHERE event_id = $1', [eventId]);
    expect(row.rows[0].maybe_posted).toBe(true);
  });
});
