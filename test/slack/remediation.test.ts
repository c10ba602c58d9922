import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/blocks/ids.ts';
import type { Db } from '../../src/store/db.ts';
import { listEvents } from '../../src/store/events.ts';
import { findRunId } from '../../src/store/runs.ts';
import { blocksOf, buttonClick, captureSlackApi, startTestBot, testStateDb, type SlackCall, type TestBot } from '../helpers/slack.ts';

const GW = 'http://gateway-0.caracal.test:8081';

describe('remediation actions from the run dashboard', () => {
  let state: { db: Db; drop(): Promise<void> };
  let bot: TestBot;
  let calls: SlackCall[];
  const ephemeral: string[] = [];

  beforeAll(async () => {
    state = await testStateDb();
    bot = await startTestBot({
      db: state.db,
      checks: [],
      realTargets: true,
      file: { caracal: { services: { gateway: [GW] } }, recovery: { approvers: { users: ['UALICE'] } } },
      env: { CARACAL_ADMIN_TOKEN: 'admin-token-5678' },
    });
    calls = captureSlackApi();
    nock('https://hooks.slack.com').persist().post(/.*/, (b: { text?: string }) => { ephemeral.push(String(b.text)); return true; }).reply(200, 'ok');
  });
  afterAll(async () => {
    await bot.stop();
    nock.cleanAll();
    await state.drop();
  });

  it('offers the action behind a confirm dialog; a non-approver is refused and logged; an approver runs it and the answer is logged', async () => {
    await bot.command('recover snapshot stale', { channel_id: 'CREMEDY', user_id: 'UALICE' });
    await bot.bot.idle();
    const runId = (await findRunId(state.db, 'CREMEDY', 'active'))!;
    // Reach the Safety gate: the earlier gates have no checks configured here, so Confirm needs only approvers.
    await state.db.query(`UPDATE gates SET status = 'confirmed', done_by = 'UALICE', done_at = now() WHERE run_id = $1 AND gate <> 'safety' AND gate <> 'resume'`, [runId]);
    await state.db.query(`UPDATE gates SET status = 'open', opened_at = now() WHERE run_id = $1 AND gate = 'safety'`, [runId]);
    await state.db.query(`INSERT INTO deliveries (run_id, kind) VALUES ($1, 'dashboard')`, [runId]);
    await bot.bot.flushDeliveries();
    const dashboard = calls.filter((c) => c.method === 'chat.update' || (c.method === 'chat.postMessage' && !c.body.thread_ts)).at(-1)!;
    type El = { action_id: string; value: string; confirm?: { text: { text: string } } };
    const button = blocksOf(dashboard).flatMap((b) => (b.elements as El[] | undefined) ?? []).find((e) => String(e.action_id).startsWith(`${ACTION.gateRemediate}:`))!;
    expect(button.confirm!.text.text).toContain('/internal/revocations/reload');

    await bot.action(buttonClick(button.action_id, button.value, { user: 'UEVE' }));
    await bot.bot.idle();
    expect(ephemeral.at(-1)).toContain('Only configured approvers');

    nock(GW).post('/internal/revocations/reload').matchHeader('authorization', 'Bearer admin-token-5678').reply(200, { ok: true, revocations: 4 });
    await bot.action(buttonClick(button.action_id, button.value, { user: 'UALICE' }));
    await bot.bot.idle();
    await bot.bot.flushDeliveries();
    const events = await listEvents(state.db, runId);
    expect(events.filter((e) => e.type === 'denied').map((e) => e.actor)).toEqual(['UEVE']);
    const ran = events.find((e) => e.type === 'action_run')!;
    expect(ran).toMatchObject({ actor: 'UALICE', gate: 'safety', data: { action: 'gateway.reload', ok: true } });
    const entry = calls.filter((c) => c.body.thread_ts).map((c) => String(c.body.text)).join('\n');
    expect(entry).toContain('Revocation snapshot reloaded on 1 of 1 Gateway pod(s).');
    expect(entry).toContain('"revocations":4');
    expect(entry).not.toContain('admin-token-5678');
  });
});

describe('break-glass steps', () => {
  it('shows the exact SQL for dead API outbox rows ephemerally, and "Done by me" records who did it', async () => {
    const { loadCaracalSchema } = await import('../fixtures/caracal-db.ts');
    const { createTempDatabase } = await import('../helpers/pg.ts');
    const caracal = await createTempDatabase('bg');
    await loadCaracalSchema(caracal);
    await caracal.exec(`INSERT INTO event_outbox (id, stream_name, payload_json, attempts, available_at, last_error) VALUES ('0190b000-0000-7000-8000-0000000000aa', 'caracal.audit.events', '{}', 100, 'infinity', 'redis down')`);
    const state = await testStateDb();
    const bot = await startTestBot({ db: state.db, checks: [], realTargets: true, file: { caracal: { postgres: { url: caracal.url } }, recovery: { approvers: { users: ['UALICE'] } } } });
    captureSlackApi();
    const answers: { text?: string; blocks?: { elements?: { action_id: string; value: string }[] }[] }[] = [];
    nock('https://hooks.slack.com').persist().post(/.*/, (b: (typeof answers)[number]) => { answers.push(b); return true; }).reply(200, 'ok');
    await bot.command('recover outbox', { channel_id: 'CBG', user_id: 'UALICE' });
    await bot.bot.idle();
    const runId = (await findRunId(state.db, 'CBG', 'active'))!;
    const value = JSON.stringify({ v: 1, runId, gate: 'evidence', action: 'api.outbox_reset' });
    await bot.action(buttonClick(ACTION.gateRemediate, value, { user: 'UALICE' }));
    await bot.bot.idle();
    const guidance = answers.at(-1)!;
    expect(JSON.stringify(guidance.blocks)).toContain("UPDATE public.event_outbox SET available_at = now(), attempts = 0, last_error = NULL WHERE id IN ('0190b000-0000-7000-8000-0000000000aa')");
    const done = guidance.blocks!.flatMap((b) => b.elements ?? []).find((e) => e.action_id === ACTION.breakGlassDone)!;
    await bot.action(buttonClick(ACTION.breakGlassDone, done.value, { user: 'UEVE' }));
    await bot.action(buttonClick(ACTION.breakGlassDone, done.value, { user: 'UALICE' }));
    await bot.bot.idle();
    const events = await listEvents(state.db, runId);
    expect(events.find((e) => e.type === 'action_run')).toMatchObject({ actor: 'UALICE', data: { breakGlass: true, action: 'api.outbox_reset' } });
    expect(events.filter((e) => e.type === 'denied').map((e) => e.actor)).toEqual(['UEVE']);
    // The bot itself never wrote Caracal's table: the row is still dead.
    expect((await caracal.exec(`SELECT 1 FROM event_outbox WHERE available_at = 'infinity'`)).rowCount).toBe(1);
    await bot.stop();
    nock.cleanAll();
    await state.drop();
    await caracal.drop();
  });
});
