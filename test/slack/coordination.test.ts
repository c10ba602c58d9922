// Issue 17, handoff and summary, through signed requests: a gate changes hands with a note in the log, and anyone
// joining gets the run's state in a few lines.
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHandoff } from '../../src/commands/handoff.ts';
import type { Db } from '../../src/store/db.ts';
import { listEvents } from '../../src/store/events.ts';
import { findRunId, loadRun } from '../../src/store/runs.ts';
import { captureSlackApi, startTestBot, testStateDb, type SlackCall, type TestBot } from '../helpers/slack.ts';

describe('parseHandoff', () => {
  it('reads an escaped mention, a bare mention or a user ID, then the note', () => {
    expect(parseHandoff('<@U0DAN|dan> Redis is back')).toEqual({ to: 'U0DAN', note: 'Redis is back' });
    expect(parseHandoff('<@W0DAN>   next: DLQ')).toEqual({ to: 'W0DAN', note: 'next: DLQ' });
    expect(parseHandoff('U0DAN multi\nline')).toEqual({ to: 'U0DAN', note: 'multi\nline' });
    expect(parseHandoff('@dan hello')).toBeUndefined();
    expect(parseHandoff('')).toBeUndefined();
  });
});

describe('handoff and summary (issue 17)', () => {
  let state: { db: Db; drop(): Promise<void> };
  let bot: TestBot;
  let calls: SlackCall[];
  const answers: { text?: string; response_type?: string; blocks?: unknown }[] = [];

  beforeAll(async () => {
    state = await testStateDb();
    bot = await startTestBot({ db: state.db, checks: [], file: { recovery: { approvers: { users: ['UALICE', 'UBOB'] } } } });
    calls = captureSlackApi();
    nock('https://hooks.slack.com')
      .persist()
      .post(/.*/, (b: (typeof answers)[number]) => {
        answers.push(b);
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

  it('passes the open gate to the named person with the note in the log; a bystander cannot', async () => {
    await bot.command('recover handoff', { channel_id: 'CHAND', user_id: 'UALICE' });
    await settle();
    const runId = (await findRunId(state.db, 'CHAND', 'active'))!;
    await bot.command('handoff <@UDAN|dan> hello', { channel_id: 'CHAND', user_id: 'UMAL' });
    await settle();
    expect(answers.at(-1)!.text).toContain('or an approver can hand it off');
    await bot.command('handoff <@UDAN|dan> Freeze items ticked but rollouts; ping <@UBOB|bob> <!channel>', {
      channel_id: 'CHAND',
      user_id: 'UALICE',
    });
    await settle();
    expect((await loadRun(state.db, runId))!.gates[0].claimedBy).toBe('UDAN');
    const event = (await listEvents(state.db, runId)).find((e) => e.type === 'gate_handed_off')!;
    expect(event).toMatchObject({ actor: 'UALICE', gate: 'freeze', data: { from: null, to: 'UDAN' } });
    const entry = calls
      .filter((c) => c.body.thread_ts)
      .map((c) => String(c.body.text))
      .find((t) => t.includes('handed'))!;
    expect(entry).toContain('to <@UDAN>');
    expect(entry).toContain('ping <@UBOB>'); // a user mention stays a mention
    expect(entry).toContain('&lt;!channel&gt;'); // a broadcast does not
  });

  it('posts a summary to the channel: where it stands, what blocks it and the next step', async () => {
    await bot.command('summary', { channel_id: 'CHAND', user_id: 'UEVE' });
    await settle();
    const summary = answers.at(-1)!;
    expect(summary.response_type).toBe('in_channel');
    const text = JSON.stringify(summary.blocks);
    expect(text).toContain('Gate 1 of 6');
    expect(text).toContain('held by <@UDAN>');
    expect(text).toContain('Freeze checklist items not ticked: rollouts, policies, control');
    expect(text).toContain('*Next:* Tick the Freeze checklist');
    await bot.command('summary', { channel_id: 'CNONE', user_id: 'UEVE' });
    await settle();
    expect(answers.at(-1)!.text).toContain('There is no active run in this channel');
  });
});
