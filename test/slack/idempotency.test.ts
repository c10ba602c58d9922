// Issue 18: side effects happen once per request. A replayed signed click (Slack's 5-minute window) or a double
// click on one card is answered with the first outcome and reaches Caracal once; a replayed `/caracal note` is
// recorded once; remediation buttons belong to their run's channel and dashboard.
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/blocks/ids.ts';
import type { Db } from '../../src/store/db.ts';
import { listEvents } from '../../src/store/events.ts';
import { findRunId } from '../../src/store/runs.ts';
import { buttonOf, startBotOnState, type BotOnState, type ResponseAnswer } from '../helpers/bot-on-state.ts';
import { openSafetyGate, STALE_SNAPSHOT, type DashboardButton } from '../helpers/safety-gate.ts';
import { buttonClick, runClick, type SlackCall, type TestBot } from '../helpers/slack.ts';

const GW = 'http://gateway-1.caracal.test:8081';

describe('idempotent side effects (issue 18)', () => {
  let state: { db: Db; drop(): Promise<void> };
  let bot: TestBot;
  let calls: SlackCall[];
  let t: BotOnState;
  let answers: ResponseAnswer[];

  beforeAll(async () => {
    t = await startBotOnState({
      checks: [],
      realTargets: true,
      file: { caracal: { services: { gateway: [GW] } }, recovery: { approvers: { users: ['UALICE', 'UBOB'] } } },
      env: { CARACAL_ADMIN_TOKEN: 'admin-token-idem-5678' },
    });
    ({ state, bot, calls, answers } = t);
  });
  afterAll(() => t.close());

  async function safetyRun(channel: string): Promise<{ runId: string; button: DashboardButton }> {
    const { runId, remedies } = await openSafetyGate(bot, state.db, calls, channel, 'idem', STALE_SNAPSHOT);
    return { runId, button: remedies.find((e) => String(e.value).includes('gateway.reload'))! };
  }

  it('a replayed "Run it" and a double click on the same card call Caracal once and answer with the first outcome', async () => {
    const { runId, button } = await safetyRun('CIDEM1');
    await bot.action(await runClick(state.db, runId, button.action_id, button.value, { user: 'UALICE' }));
    await bot.bot.idle();
    const value = buttonOf(answers.at(-1)!, ACTION.remediateRun).value;
    let reached = 0;
    nock(GW)
      .persist()
      .post('/internal/revocations/reload')
      .reply(() => {
        reached++;
        return [200, { ok: true, revocations: 2 }];
      });
    const click = buttonClick(ACTION.remediateRun, value, { user: 'UALICE', channel: 'CIDEM1' });
    await bot.action(click);
    await bot.bot.idle();
    await bot.action(click); // the same signed request again (a replay)
    await bot.action(buttonClick(ACTION.remediateRun, value, { user: 'UBOB', channel: 'CIDEM1' })); // another click on that card
    await bot.bot.idle();
    nock.removeInterceptor({ hostname: 'gateway-1.caracal.test', port: 8081, method: 'POST', path: '/internal/revocations/reload' });
    expect(reached).toBe(1);
    const events = await listEvents(state.db, runId);
    expect(events.filter((e) => e.type === 'action_started')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'action_finished')).toHaveLength(1);
    expect(answers.slice(-2).map((a) => a.text)).toEqual([
      expect.stringMatching(/^:white_check_mark: Succeeded: Reload/),
      expect.stringMatching(/^:white_check_mark: Succeeded: Reload/),
    ]);
  });

  it('a remediation button clicked with the run id in another channel, or on another message, is refused without a word about the run', async () => {
    const { runId, button } = await safetyRun('CIDEM2');
    const before = (await listEvents(state.db, runId)).length;
    await bot.action(buttonClick(button.action_id, button.value, { user: 'UALICE', channel: 'COTHER' }));
    await bot.bot.idle();
    expect(answers.at(-1)!.text).toBe('This button does not belong to a run of this channel.');
    await bot.action(buttonClick(button.action_id, button.value, { user: 'UALICE', channel: 'CIDEM2', messageTs: '1.000009' }));
    await bot.bot.idle();
    expect(answers.at(-1)!.text).toBe('This button does not belong to a run of this channel.');
    const card = JSON.stringify({ ...(JSON.parse(button.value) as object), card: 'forgedcard1' });
    await bot.action(buttonClick(ACTION.remediateRun, card, { user: 'UALICE', channel: 'COTHER' }));
    await bot.bot.idle();
    expect(answers.at(-1)!.text).toBe('This button does not belong to a run of this channel.');
    expect((await listEvents(state.db, runId)).length).toBe(before);
  });

  it('a replayed /caracal note (same trigger_id) is recorded once', async () => {
    await bot.command('recover notes', { channel_id: 'CIDEM3', user_id: 'UALICE' });
    await bot.bot.idle();
    const runId = (await findRunId(state.db, 'CIDEM3', 'active'))!;
    const replayed = { channel_id: 'CIDEM3', user_id: 'UBOB', trigger_id: '777.888.999' };
    await bot.command('note gateway-0 restarted', replayed);
    await bot.command('note gateway-0 restarted', replayed);
    await bot.command('note gateway-0 restarted', { channel_id: 'CIDEM3', user_id: 'UBOB' }); // typed again: a new note
    await bot.bot.idle();
    const notes = (await listEvents(state.db, runId)).filter((e) => e.type === 'note');
    expect(notes).toHaveLength(2);
  });
});
