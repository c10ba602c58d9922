// Scheduled status (issue 17), end to end with a clock the test moves: `/caracal status every 15m` posts a report,
// then only edits its "still the same at HH:MM" line until something changes, when a new report is posted; it ends
// with `/caracal status stop` or with the run's Resume.
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.ts';
import { getSchedule, putSchedule } from '../../src/store/schedules.ts';
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
    nock('https://hooks.slack.com').persist().post(/.*/).reply(200, 'ok'); // the commands' ephemeral answers
    calls = captureSlackApi((c) => {
      if (c.body.channel === 'CGONE' && c.method === 'chat.postMessage') return [200, { ok: false, error: 'not_in_channel' }];
      // CPEND already shows the report a replica posted before it died (found by its metadata).
      if (c.body.channel === 'CPEND' && c.method === 'conversations.history') {
        return [
          200,
          {
            ok: true,
            messages: [
              {
                ts: '1764471600.000900',
                bot_id: 'B0TEST',
                metadata: { event_type: 'caracal_scheduled_status', event_payload: { report_id: 'rPENDING' } },
              },
            ],
          },
        ];
      }
      return undefined;
    });
  });
  afterAll(async () => {
    await bot.stop();
    nock.cleanAll();
    await state.drop();
  });
  const tick = async (ms: number) => {
    clock.advance(ms);
    await bot.bot.runSchedules();
    await settle(bot);
  };
  const reports = (channel: string) =>
    calls.filter(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.body.channel === channel &&
        !c.body.thread_ts &&
        String(c.body.blocks).includes(':repeat: Every'),
    );
  const edits = (channel: string) =>
    calls.filter((c) => c.method === 'chat.update' && c.body.channel === channel && String(c.body.blocks).includes(':repeat: Every'));

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

  it('does not post again a report a replica posted before it could record it', async () => {
    probe.set('postgres.reachable', 'pass');
    probe.set('redis.reachable', 'pass');
    clock.advance(2 * MIN); // past the reuse window: the checks run with today's verdicts
    // The state a replica leaves when it dies between Slack's answer and its commit: the post marked pending.
    const pending = { reportId: 'rPENDING', fingerprint: 'postgres.reachable:pass,redis.reachable:pass' };
    await putSchedule(state.db, {
      kind: 'status',
      key: 'CPEND',
      channelId: 'CPEND',
      intervalMs: 15 * MIN,
      nextAt: clock.now(),
      createdBy: 'UALICE',
      now: clock.now(),
      state: { pending },
    });
    await bot.bot.runSchedules();
    await settle(bot);
    expect(calls.filter((c) => c.method === 'chat.postMessage' && c.body.channel === 'CPEND')).toEqual([]);
    expect((await getSchedule(state.db, 'status', 'CPEND'))!.state).toMatchObject({ reportId: 'rPENDING', messageTs: '1764471600.000900' });
  });

  it("stops when the channel's run is resumed", async () => {
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
