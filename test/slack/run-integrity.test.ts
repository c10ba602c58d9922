// Issue 18, items 5 to 7, through signed requests: clicks belong to their run's channel and dashboard, runs can be
// cancelled by approvers, who may start runs and drills is configured, and text from users never escapes.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/blocks/ids.ts';
import { encodePayload, gateButtonPayload } from '../../src/blocks/payloads.ts';
import type { Db } from '../../src/store/db.ts';
import { listEvents } from '../../src/store/events.ts';
import { findRunId, loadRun } from '../../src/store/runs.ts';
import { buttonClick, captureSlackApi, runClick, startTestBot, testStateDb, type SlackCall, type TestBot } from '../helpers/slack.ts';

const FILE = { recovery: { approvers: { users: ['UALICE', 'UBOB'] }, drillChannels: ['CDRILLS'] } };

describe('the integrity of a run (issue 18)', () => {
  let state: { db: Db; drop(): Promise<void> };
  let bot: TestBot;
  let calls: SlackCall[];
  const answers: string[] = [];
  let n = 0;

  beforeAll(async () => {
    state = await testStateDb();
    bot = await startTestBot({ db: state.db, checks: [], file: FILE });
  });
  afterAll(async () => {
    await bot.stop();
    await state.drop();
  });
  afterEach(() => nock.cleanAll());

  function capture(): void {
    answers.length = 0;
    calls = captureSlackApi();
    nock('https://hooks.slack.com')
      .persist()
      .post(/.*/, (b: { text?: string }) => {
        answers.push(String(b.text));
        return true;
      })
      .reply(200, 'ok');
  }
  async function settle(): Promise<void> {
    await bot.bot.idle();
    await bot.bot.flushDeliveries();
  }
  async function newRun(title = 'integrity'): Promise<{ runId: string; channelId: string }> {
    const channelId = `CINT${++n}`;
    await bot.command(`recover ${title}`, { channel_id: channelId, user_id: 'UALICE' });
    await settle();
    return { runId: (await findRunId(state.db, channelId, 'active'))!, channelId };
  }

  it('refuses a click carrying the run id from another channel, reveals nothing, and logs nothing in the run', async () => {
    capture();
    const { runId } = await newRun();
    const before = (await listEvents(state.db, runId)).length;
    const value = encodePayload(gateButtonPayload, { v: 1, runId, gate: 'freeze' });
    for (const actionId of [ACTION.gateClaim, ACTION.gateConfirm, ACTION.gateRunChecks, ACTION.gateOverride]) {
      await bot.action(buttonClick(actionId, value, { user: 'UALICE', channel: 'COTHER' }));
    }
    await settle();
    expect(answers).toHaveLength(4);
    for (const a of answers) {
      expect(a).toBe('This button does not belong to a run of this channel.');
      expect(a).not.toContain('UALICE');
    }
    expect((await listEvents(state.db, runId)).length).toBe(before);
    expect((await loadRun(state.db, runId))!.gates[0].claimedBy).toBeUndefined();
    expect(calls.some((c) => c.method === 'views.open')).toBe(false);
  });

  it('refuses a dashboard button clicked on a message that is not the run dashboard', async () => {
    capture();
    const { runId, channelId } = await newRun();
    const value = encodePayload(gateButtonPayload, { v: 1, runId, gate: 'freeze' });
    await bot.action(buttonClick(ACTION.gateClaim, value, { user: 'UEVE', channel: channelId, messageTs: '1111111111.000001' }));
    await settle();
    expect(answers.at(-1)).toBe('This button does not belong to a run of this channel.');
    await bot.action(await runClick(state.db, runId, ACTION.gateClaim, value, { user: 'UEVE' }));
    await settle();
    expect((await loadRun(state.db, runId))!.gates[0].claimedBy).toBe('UEVE');
  });

  it('lets an approver cancel the active run with a reason, recorded in the log; others are refused and logged', async () => {
    capture();
    const { runId, channelId } = await newRun();
    await bot.command('cancel we are done here', { channel_id: channelId, user_id: 'UEVE' });
    await settle();
    expect(answers.at(-1)).toContain('Only configured approvers can cancel');
    await bot.command('cancel false alarm: the <!channel> page was a test', { channel_id: channelId, user_id: 'UBOB' });
    await settle();
    const run = (await loadRun(state.db, runId))!;
    expect(run.status).toBe('cancelled');
    expect(run.endedAt).toBeInstanceOf(Date);
    const events = await listEvents(state.db, runId);
    expect(events.filter((e) => e.type === 'denied').map((e) => [e.actor, e.data.command])).toEqual([['UEVE', 'cancel']]);
    expect(events.at(-1)).toMatchObject({
      type: 'run_cancelled',
      actor: 'UBOB',
      data: { reason: 'false alarm: the <!channel> page was a test' },
    });
    const thread = calls
      .filter((c) => c.body.thread_ts)
      .map((c) => String(c.body.text))
      .join('\n');
    expect(thread).toContain('cancelled the run');
    expect(thread).toContain('&lt;!channel&gt;');
    expect(thread).not.toContain('<!channel>');
    // The channel is free again.
    await bot.command('recover next one', { channel_id: channelId, user_id: 'UALICE' });
    await settle();
    expect(await findRunId(state.db, channelId, 'active')).not.toBe(runId);
  });

  it('only approvers start runs by default, and drills only in the configured drill channels', async () => {
    capture();
    await bot.command('recover by a guest', { channel_id: 'CGUEST', user_id: 'UEVE' });
    await settle();
    expect(answers.at(-1)).toContain('Only configured approvers can start a recovery run');
    expect(await findRunId(state.db, 'CGUEST', 'active')).toBeUndefined();
    await bot.command('drill redis-outage', { channel_id: 'CINCIDENT', user_id: 'UALICE' });
    await settle();
    expect(answers.at(-1)).toContain('Drills run only in the channels listed in `recovery.drillChannels`');
    expect(await findRunId(state.db, 'CINCIDENT', 'active')).toBeUndefined();
    await bot.command('drill redis-outage', { channel_id: 'CDRILLS', user_id: 'UALICE' });
    await settle();
    expect(await findRunId(state.db, 'CDRILLS', 'active')).toBeDefined();
  });

  it('escapes a run title in the dashboard notification text and a drill name echoed back', async () => {
    capture();
    await newRun('<!channel> <!subteam^S123> <https://evil.example|click>');
    const dashboard = calls.find((c) => c.method === 'chat.postMessage' && !c.body.thread_ts)!;
    expect(String(dashboard.body.text)).toContain('&lt;!channel&gt; &lt;!subteam^S123&gt;');
    expect(String(dashboard.body.text)).not.toMatch(/<!channel>|<!subteam|<https:/);
    await bot.command('drill <!here>', { channel_id: 'CDRILLS', user_id: 'UALICE' });
    await settle();
    expect(answers.at(-1)).toContain('There is no drill "&lt;!here&gt;"');
  });
});
