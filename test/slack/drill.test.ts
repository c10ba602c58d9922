import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/blocks/ids.ts';
import { encodePayload, gateButtonPayload } from '../../src/blocks/payloads.ts';
import type { Db } from '../../src/store/db.ts';
import { listEvents } from '../../src/store/events.ts';
import { findRunId } from '../../src/store/runs.ts';
import { blocksOf, runClick, captureSlackApi, startTestBot, testStateDb, type SlackCall, type TestBot } from '../helpers/slack.ts';

describe('a drill run end to end', () => {
  let state: { db: Db; drop(): Promise<void> };
  let bot: TestBot;
  let calls: SlackCall[];
  const answers: string[] = [];

  beforeAll(async () => {
    state = await testStateDb();
    bot = await startTestBot({
      db: state.db,
      checks: [],
      file: { recovery: { approvers: { users: ['UALICE', 'UBOB'] }, drillChannels: ['CDRILL'] } },
    });
    calls = captureSlackApi();
    nock('https://hooks.slack.com')
      .persist()
      .post(/.*/, (b: unknown) => {
        answers.push(JSON.stringify(b));
        return true;
      })
      .reply(200, 'ok');
  });
  afterAll(async () => {
    await bot.stop();
    nock.cleanAll();
    await state.drop();
  });
  const settle = async () => {
    await bot.bot.idle();
    await bot.bot.flushDeliveries();
  };
  const dashboard = () =>
    blocksOf(calls.filter((c) => !c.body.thread_ts && (c.method === 'chat.update' || c.method === 'chat.postMessage')).at(-1)!);
  const drillButton = (label: string) =>
    dashboard()
      .flatMap((b) => (b.elements as { action_id: string; value: string; text: { text: string } }[] | undefined) ?? [])
      .find((e) => String(e.action_id).startsWith(`${ACTION.drillMark}:`) && e.text.text === label);

  it('lists the catalog, runs the drill through the gates, and exports time to detect and to recover', async () => {
    await bot.command('drill');
    await settle();
    expect(answers.at(-1)).toContain('/caracal drill redis-outage');
    expect(answers.at(-1)).toContain('/caracal drill tamper');

    await bot.command('drill redis-outage', { channel_id: 'CDRILL', user_id: 'UALICE' });
    await settle();
    const runId = (await findRunId(state.db, 'CDRILL', 'active'))!;
    const card = JSON.stringify(dashboard());
    expect(card).toContain('[DRILL] Recovery: Redis outage drill');
    expect(card).toContain('CaracalAuditConsumerLagHigh');
    expect(card).toContain('Replay files drain only when pods restart');
    expect(drillButton('Alert fired')).toBeUndefined(); // only after the fault is injected

    await bot.action(await runClick(state.db, runId, ACTION.drillMark, drillButton('Fault injected')!.value, { user: 'UEVE' }));
    await settle();
    const alert = drillButton('Alert fired')!;
    const recovered = drillButton('Recovered')!;
    await bot.action(await runClick(state.db, runId, ACTION.drillMark, alert.value, { user: 'UEVE' }));
    await bot.action(await runClick(state.db, runId, ACTION.drillMark, alert.value, { user: 'UBOB' })); // double click: recorded once
    await settle();
    expect(answers.at(-1)).toMatch(/Already recorded|a moment ago/);

    const items = ['rollouts', 'policies', 'control'];
    for (let n = 1; n <= items.length; n++) {
      const tick = await runClick(state.db, runId, ACTION.freezeChecklist, '', { user: 'UEVE' });
      (tick.actions as unknown[])[0] = {
        type: 'checkboxes',
        action_id: ACTION.freezeChecklist,
        block_id: `gate_freeze|v1|${encodePayload(gateButtonPayload, { v: 1, runId, gate: 'freeze' })}`,
        action_ts: '1',
        selected_options: items.slice(0, n).map((value) => ({ value, text: { type: 'mrkdwn', text: value } })),
      };
      await bot.action(tick);
      await settle();
    }
    const confirm = async (gate: 'freeze' | 'storage' | 'services' | 'evidence' | 'safety' | 'resume') => {
      const user = gate === 'resume' && (await listEvents(state.db, runId)).some((e) => e.type === 'confirm_vote') ? 'UBOB' : 'UALICE';
      await bot.action(
        await runClick(state.db, runId, ACTION.gateConfirm, encodePayload(gateButtonPayload, { v: 1, runId, gate }), { user }),
      );
      await settle();
    };
    for (const gate of ['freeze', 'storage', 'services', 'evidence', 'safety'] as const) await confirm(gate);
    // Resume's unfreeze checklist: every item Freeze recorded, ticked as it is restored.
    const untick = await runClick(state.db, runId, ACTION.freezeChecklist, '', { user: 'UEVE' });
    (untick.actions as unknown[])[0] = {
      type: 'checkboxes',
      action_id: ACTION.freezeChecklist,
      block_id: `gate_resume|v1|${encodePayload(gateButtonPayload, { v: 1, runId, gate: 'resume' })}`,
      action_ts: '2',
      selected_options: items.map((value) => ({ value, text: { type: 'mrkdwn', text: value } })),
    };
    await bot.action(untick);
    await settle();
    await confirm('resume');
    await confirm('resume');
    await bot.action(await runClick(state.db, runId, ACTION.drillMark, recovered.value, { user: 'UEVE' }));
    await settle();

    const events = await listEvents(state.db, runId);
    expect(events.filter((e) => e.type === 'drill_marker').map((e) => e.data.marker)).toEqual(['injected', 'alert_fired', 'recovered']);
    expect(events.map((e) => e.type)).toContain('run_resumed');
    const thread = calls.filter((c) => c.body.thread_ts).map((c) => String(c.body.text));
    expect(thread.every((t) => t.startsWith('[DRILL]'))).toBe(true);

    await bot.command('timeline', { channel_id: 'CDRILL' });
    await bot.bot.idle();
    const markdown = calls
      .filter((c) => c.method === 'chat.postMessage' && String(c.body.text).startsWith('Timeline'))
      .map((c) => String(c.body.blocks))
      .join('\n');
    expect(markdown).toContain('# Drill: Redis outage drill');
    expect(markdown).toMatch(
      /Drill: redis-outage; fault injected 20\d\d-[^;]+; time to detect \(TTD\): \d+s; time to recover \(TTR\): \d+s/,
    );
  });
});
