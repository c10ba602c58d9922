import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/blocks/ids.ts';
import type { Db } from '../../src/store/db.ts';
import { listEvents } from '../../src/store/events.ts';
import { findRunId } from '../../src/store/runs.ts';
import { buttonOf, startBotOnState, type BotOnState, type ResponseAnswer } from '../helpers/bot-on-state.ts';
import { openSafetyGate, STALE_SNAPSHOT, type DashboardButton } from '../helpers/safety-gate.ts';
import { blocksOf, buttonClick, runClick, type SlackCall, type TestBot } from '../helpers/slack.ts';

const GW = 'http://gateway-0.caracal.test:8081';

describe('remediation actions from the run dashboard', () => {
  let state: { db: Db; drop(): Promise<void> };
  let bot: TestBot;
  let calls: SlackCall[];
  let t: BotOnState;
  let answers: ResponseAnswer[];

  beforeAll(async () => {
    t = await startBotOnState({
      checks: [],
      realTargets: true,
      file: { caracal: { services: { gateway: [GW] } }, recovery: { approvers: { users: ['UALICE'] } } },
      env: { CARACAL_ADMIN_TOKEN: 'admin-token-5678' },
    });
    ({ state, bot, calls, answers } = t);
  });
  afterAll(() => t.close());

  // The Safety gate with the finding the reload fixes, as a Safety check run records it: the placement offers the
  // reload next to it.
  async function safetyRun(channel: string): Promise<{ runId: string; button: DashboardButton }> {
    const { runId, remedies } = await openSafetyGate(bot, state.db, calls, channel, 'snapshot stale', STALE_SNAPSHOT);
    return { runId, button: remedies[0] };
  }

  it('answers the click with a card saying what will be called; a non-approver is refused and logged; the card shows Running, then the outcome', async () => {
    const { runId, button } = await safetyRun('CREMEDY');
    await bot.action(await runClick(state.db, runId, button.action_id, button.value, { user: 'UEVE' }));
    await bot.bot.idle();
    expect(String(answers.at(-1)!.text)).toContain('Only configured approvers');

    await bot.action(await runClick(state.db, runId, button.action_id, button.value, { user: 'UALICE' }));
    await bot.bot.idle();
    const card = answers.at(-1)!;
    expect(JSON.stringify(card.blocks)).toContain('/internal/revocations/reload');
    expect(card.replace_original).toBe(false);

    nock(GW)
      .post('/internal/revocations/reload')
      .matchHeader('authorization', 'Bearer admin-token-5678')
      .reply(200, { ok: true, revocations: 4 });
    const before = answers.length;
    await bot.action(buttonClick(ACTION.remediateRun, buttonOf(card, ACTION.remediateRun).value, { user: 'UALICE', channel: 'CREMEDY' }));
    await bot.bot.idle();
    await bot.bot.flushDeliveries();
    // The clicker's own card: "Running…", then replaced by the outcome.
    const replaced = answers.slice(before);
    expect(replaced.map((a) => a.replace_original)).toEqual([true, true]);
    expect(replaced[0].text).toContain('Running');
    expect(replaced[1].text).toMatch(/^:white_check_mark: Succeeded: Reload/);
    const events = await listEvents(state.db, runId);
    expect(events.filter((e) => e.type === 'denied').map((e) => e.actor)).toEqual(['UEVE']);
    const startedAt = events.findIndex((e) => e.type === 'action_started');
    const finishedAt = events.findIndex((e) => e.type === 'action_finished');
    expect(startedAt).toBeGreaterThan(-1);
    expect(finishedAt).toBeGreaterThan(startedAt);
    expect(events[startedAt]).toMatchObject({ actor: 'UALICE', gate: 'safety', data: { action: 'gateway.reload' } });
    expect(events[finishedAt]).toMatchObject({
      actor: 'UALICE',
      gate: 'safety',
      data: { action: 'gateway.reload', ok: true, result: 'success', startedEventId: String(events[startedAt].id) },
    });
    const entry = calls
      .filter((c) => c.body.thread_ts)
      .map((c) => String(c.body.text))
      .join('\n');
    expect(entry).toContain('Revocation snapshot reloaded on 1 of 1 Gateway pod(s).');
    expect(entry).toContain('"revocations":4');
    expect(entry).not.toContain('admin-token-5678');
    // The dashboard shows the gate's last action with its result.
    const dashboard = calls.filter((c) => c.method === 'chat.update' && c.body.channel === 'CREMEDY').at(-1)!;
    expect(JSON.stringify(blocksOf(dashboard))).toMatch(/Last action: \*Reload[^"]*succeeded/);
  });

  it('records the start before the call: a second click while it runs is refused, and a crash leaves "no outcome" on the dashboard', async () => {
    const { runId, button } = await safetyRun('CREMEDY2');
    await bot.action(await runClick(state.db, runId, button.action_id, button.value, { user: 'UALICE' }));
    await bot.bot.idle();
    const value = buttonOf(answers.at(-1)!, ACTION.remediateRun).value;
    // A start with no outcome: another replica is mid-call, or died during it.
    await state.db.query(
      `INSERT INTO events (run_id, at, actor, type, gate, data) VALUES ($1, now(), 'UBOB', 'action_started', 'safety', '{"action":"gateway.reload","title":"Reload the revocation snapshot on every Gateway pod","target":"x"}')`,
      [runId],
    );
    const reloads = nock(GW).post('/internal/revocations/reload').reply(200, { ok: true });
    await bot.action(buttonClick(ACTION.remediateRun, value, { user: 'UALICE', channel: 'CREMEDY2' }));
    await bot.bot.idle();
    expect(answers.at(-1)!.text).toMatch(/<@UBOB> started .* has not finished: not running it twice/);
    expect(reloads.isDone()).toBe(false); // Caracal was not called
    nock.removeInterceptor({ hostname: 'gateway-0.caracal.test', port: 8081, method: 'POST', path: '/internal/revocations/reload' });
    // Long after, with no outcome: the dashboard says the outcome is unknown.
    await state.db.query(`UPDATE events SET at = now() - interval '1 hour' WHERE run_id = $1 AND type = 'action_started'`, [runId]);
    await state.db.query(`INSERT INTO deliveries (run_id, kind) VALUES ($1, 'dashboard')`, [runId]);
    await bot.bot.flushDeliveries();
    const dashboard = calls.filter((c) => c.method === 'chat.update' && c.body.channel === 'CREMEDY2').at(-1)!;
    expect(JSON.stringify(blocksOf(dashboard))).toContain('no outcome recorded');
  });

  it('accepts a click only where the placement puts the action: the requeue at Services on outbox_dead, never a reload there, nothing once the finding is gone', async () => {
    await bot.command('recover redis outage', { channel_id: 'CPLACE', user_id: 'UALICE' });
    await bot.bot.idle();
    // Clicks come from the posted dashboard: post it first, or a click built before it would carry no message ts.
    await bot.bot.flushDeliveries();
    const runId = (await findRunId(state.db, 'CPLACE', 'active'))!;
    await state.db.query(`UPDATE gates SET status = 'confirmed' WHERE run_id = $1 AND gate IN ('freeze', 'storage')`, [runId]);
    await state.db.query(`UPDATE gates SET status = 'open', opened_at = now() WHERE run_id = $1 AND gate = 'services'`, [runId]);
    await state.db.query(
      `INSERT INTO gate_checks (run_id, gate, check_id, status, summary, started_at, finished_at, findings)
       VALUES ($1, 'services', 'services.ready', 'fail', 'Coordinator not ready (HTTP 503) error=outbox_dead', now(), now(), '["outbox_dead"]')`,
      [runId],
    );
    const click = async (action: string) =>
      bot.action(
        await runClick(state.db, runId, ACTION.gateRemediate, JSON.stringify({ v: 1, runId, gate: 'services', action }), {
          user: 'UALICE',
        }),
      );
    const reloads = nock(GW).post('/internal/revocations/reload').reply(200, { ok: true });
    await click('gateway.reload');
    await bot.bot.idle();
    expect(answers.at(-1)!.text).toMatch(/Reload .* is not offered on this gate now/);
    expect(reloads.isDone()).toBe(false);
    nock.removeInterceptor({ hostname: 'gateway-0.caracal.test', port: 8081, method: 'POST', path: '/internal/revocations/reload' });

    await click('coordinator.requeue');
    await bot.bot.idle();
    expect(answers.at(-1)!.text).toBe('Run Requeue dead Coordinator outbox rows?');

    // The Services checks pass now: the finding is gone, and so is the offer (a stale button is refused).
    await state.db.query(`UPDATE gate_checks SET status = 'pass', findings = '[]' WHERE run_id = $1 AND gate = 'services'`, [runId]);
    await click('coordinator.requeue');
    await bot.bot.idle();
    expect(answers.at(-1)!.text).toMatch(/not offered on this gate now: none of its latest check results shows a finding it fixes/);
    expect((await listEvents(state.db, runId)).filter((e) => e.type === 'action_started')).toEqual([]);
  });

  it('never lets a secret out: an endpoint that echoes every header (and a cut-off token) reaches neither Slack, nor the event log, nor the logs', async () => {
    const { runId, button } = await safetyRun('CREMEDY3');
    await bot.action(await runClick(state.db, runId, button.action_id, button.value, { user: 'UALICE' }));
    await bot.bot.idle();
    const value = buttonOf(answers.at(-1)!, ACTION.remediateRun).value;
    const from = answers.length;
    const before = calls.length;
    nock(GW)
      .post('/internal/revocations/reload')
      .reply(function () {
        const auth = String(this.req.headers.authorization);
        return [500, { error: 'denied', echoed: this.req.headers, cut: auth.slice(7, 7 + 12), text: `seen ${auth}` }];
      });
    await bot.action(buttonClick(ACTION.remediateRun, value, { user: 'UALICE', channel: 'CREMEDY3' }));
    await bot.bot.idle();
    await bot.bot.flushDeliveries();
    const outgoing = [
      ...calls.slice(before).map((c) => decodeURIComponent(c.raw.replace(/\+/g, ' '))),
      ...answers.slice(from).map((a) => JSON.stringify(a)),
    ].join('\n');
    const stored = JSON.stringify((await listEvents(state.db, runId)).map((e) => e.data));
    expect(outgoing).toContain('REDACTED'); // the echo did come back: the scrubber, not luck, keeps it out
    expect(answers.at(-1)!.text).toMatch(/^:x: Failed/);
    for (const where of [outgoing, stored, bot.logLines.join('\n')]) {
      expect(where).not.toContain('admin-token-5678');
      expect(where).not.toContain('admin-token');
    }
  });
});

describe('break-glass steps', () => {
  it('shows the exact SQL for dead API outbox rows ephemerally, and "Done by me" records who did it', async () => {
    const { loadCaracalSchema } = await import('../fixtures/caracal-db.ts');
    const { createTempDatabase } = await import('../helpers/pg.ts');
    const caracal = await createTempDatabase('bg');
    await loadCaracalSchema(caracal);
    await caracal.exec(
      `INSERT INTO event_outbox (id, stream_name, payload_json, attempts, available_at, last_error) VALUES ('0190b000-0000-7000-8000-0000000000aa', 'caracal.audit.events', '{}', 100, 'infinity', 'redis down')`,
    );
    const { state, bot, answers, close } = await startBotOnState({
      checks: [],
      realTargets: true,
      file: { caracal: { postgres: { url: caracal.url } }, recovery: { approvers: { users: ['UALICE'] } } },
    });
    await bot.command('recover outbox', { channel_id: 'CBG', user_id: 'UALICE' });
    await bot.bot.idle();
    const runId = (await findRunId(state.db, 'CBG', 'active'))!;
    const value = JSON.stringify({ v: 1, runId, gate: 'evidence', action: 'api.outbox_reset' });
    // Evidence is not open yet: the placement refuses, and shows nothing.
    await bot.action(await runClick(state.db, runId, ACTION.gateRemediate, value, { user: 'UALICE' }));
    await bot.bot.idle();
    expect(answers.at(-1)!.text).toMatch(/not offered there: that gate is not open/);
    await state.db.query(`UPDATE gates SET status = 'confirmed' WHERE run_id = $1 AND gate IN ('freeze', 'storage', 'services')`, [runId]);
    await state.db.query(`UPDATE gates SET status = 'open', opened_at = now() WHERE run_id = $1 AND gate = 'evidence'`, [runId]);
    await state.db.query(
      `INSERT INTO gate_checks (run_id, gate, check_id, status, summary, started_at, finished_at, findings)
       VALUES ($1, 'evidence', 'outbox.api', 'fail', '1 dead row', now(), now(), '["dead_rows"]')`,
      [runId],
    );
    await bot.action(await runClick(state.db, runId, ACTION.gateRemediate, value, { user: 'UALICE' }));
    await bot.bot.idle();
    const guidance = answers.at(-1)!;
    expect(JSON.stringify(guidance.blocks)).toContain(
      "UPDATE public.event_outbox SET available_at = now(), attempts = 0, last_error = NULL WHERE id IN ('0190b000-0000-7000-8000-0000000000aa')",
    );
    const done = buttonOf(guidance, ACTION.breakGlassDone);
    await bot.action(buttonClick(ACTION.breakGlassDone, done.value, { user: 'UEVE', channel: 'CBG' }));
    await bot.action(buttonClick(ACTION.breakGlassDone, done.value, { user: 'UALICE', channel: 'CBG' }));
    await bot.bot.idle();
    const events = await listEvents(state.db, runId);
    expect(events.find((e) => e.type === 'action_run')).toMatchObject({
      actor: 'UALICE',
      data: { breakGlass: true, action: 'api.outbox_reset' },
    });
    expect(events.filter((e) => e.type === 'denied').map((e) => e.actor)).toEqual(['UEVE']);
    // The bot itself never wrote Caracal's table: the row is still dead.
    expect((await caracal.exec(`SELECT 1 FROM event_outbox WHERE available_at = 'infinity'`)).rowCount).toBe(1);
    await close();
    await caracal.drop();
  });
});
