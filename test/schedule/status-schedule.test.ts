// Scheduled status (issue 17), end to end with a clock the test moves: `/caracal status every 15m` posts a report,
// then only edits its "still the same at HH:MM" line until something changes, when a new report is posted; it ends
// with `/caracal status stop` or with the run's Resume.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.ts';
import { getSchedule } from '../../src/store/schedules.ts';
import { captureSlackApi, testStateDb, type SlackCall, type TestBot } from '../helpers/slack.ts';
import { controllableChecks, MIN, schedulerBot, settle, testClock } from './harness.ts';

describe('scheduled status (issue 17)', () => {
  let state: { db: Db; drop(): Promise<void> };
  let bot: TestBot;
  let calls: SlackCall[];
  const clock = testClock();
  const probe = controllableChecks(['postgres.reachable', 'redis.reachable']);

  beforeAll(async () => {
    state = await testStateDb();
    bot = await schedulerBot(state.db, clock, probe.checks);
    // The bot was removed from CGONE: Slack refuses its posts there.
    calls = captureSlackApi((c) => (c.body.channel === 'CGONE' && c.method === 'chat.postMessage' ? [200, { ok: false, error: 'not_in_channel' }] : undefined));
  });
  afterAll(async () => {
    await bot.stop();
    await state.drop();
  });
  const tick = async (ms: number) => {
    clock.advance(ms);
    await bot.bot.runSchedules();
    await settle(bot);
  };
  const reports = (channel: string) => calls.filter((c) => c.method === 'chat.postMessage' && c.body.channel === channel && !c.body.thread_ts && String(c.body.blocks).includes(':repeat: Every'));
  const edits = (channel: string) => calls.filter((c) => c.method === 'chat.update' && c.body.channel === channel && String(c.body.blocks).includes(':repeat: Every'));

  it('posts when something changed, otherwise edits the last report\'s "still the same" line', async () => {
    probe.set('postgres.reachable', 'pass');
    await bot.command('status every 15m', { channel_id: 'CSTAT', user_id: 'UALICE' });
    await settle(bot);
    await bot.bot.runSchedules();
    await settle(bot);
    expect(reports('CSTAT')).toHaveLength(1);
    const first = reports('CSTAT')[0];
    expect(String(first.body.blocks)).toContain('Every 15 min (set by <@UALICE>)');
    await tick(14 * MIN);
    expect(edits('CSTAT')).toEqual([]);
    await tick(1 * MIN);
    expect(reports('CSTAT')).toHaveLength(1);
    expect(edits('CSTAT')).toHaveLength(1);
    expect(edits('CSTAT')[0].body.ts).toBe(first.reply.ts);
    expect(String(edits('CSTAT')[0].body.blocks)).toContain('still the same at 03:15 UTC');

    probe.set('redis.reachable', 'pass');
    await tick(15 * MIN);
    expect(reports('CSTAT')).toHaveLength(2);
    expect(String(reports('CSTAT')[1].body.text)).not.toBe(String(first.body.text));
  });

  it('stops with `/caracal status stop`', async () => {
    await bot.command('status every 30m', { channel_id: 'CSTOP', user_id: 'UALICE' });
    await settle(bot);
    await bot.bot.runSchedules();
    await settle(bot);
    await bot.command('status stop', { channel_id: 'CSTOP', user_id: 'UALICE' });
    await settle(bot);
    expect(await getSchedule(state.db, 'status', 'CSTOP')).toBeUndefined();
    probe.set('redis.reachable', 'fail');
    await tick(60 * MIN);
    expect(reports('CSTOP')).toHaveLength(1);
  });

  it('ends when Slack no longer takes posts in the channel, instead of failing every interval', async () => {
    await bot.command('status every 15m', { channel_id: 'CGONE', user_id: 'UALICE' });
    await settle(bot);
    await bot.bot.runSchedules();
    expect(await getSchedule(state.db, 'status', 'CGONE')).toBeUndefined();
    expect(bot.logLines.some((l) => l.includes('scheduled status stopped'))).toBe(true);
  });

  it('stops when the channel\'s run is resumed', async () => {
    await bot.command('recover resume stops reports', { channel_id: 'CRES', user_id: 'UALICE' });
    await bot.command('status every 15m', { channel_id: 'CRES', user_id: 'UALICE' });
    await settle(bot);
    await bot.bot.runSchedules();
    await settle(bot);
    // The run ends (the Resume flow is tested elsewhere; here only its end matters).
    await state.db.query(`UPDATE runs SET status = 'resumed', ended_at = $2 WHERE channel_id = $1`, ['CRES', clock.now()]);
    probe.set('redis.reachable', 'pass');
    await tick(15 * MIN);
    expect(reports('CRES')).toHaveLength(1);
    expect(await getSchedule(state.db, 'status', 'CRES')).toBeUndefined();
    expect(String(edits('CRES').at(-1)?.body.blocks)).toContain('stopped: the run was resumed');
  });
});
