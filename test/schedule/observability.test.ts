// Issue 17 item 6, the scheduler seen from outside: /metrics counts jobs run and failed per kind, the jobs due and
// how late the oldest one is; and the run dashboard says whether its open gate is watched, and how often.
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.ts';
import { putSchedule } from '../../src/store/schedules.ts';
import { captureSlackApi, testStateDb, type SlackCall, type TestBot } from '../helpers/slack.ts';
import { controllableChecks, MIN, runAtGate, schedulerBot, settle, testClock } from './harness.ts';

/** One sample of the bot's /metrics, by its name and labels as Prometheus prints them. */
async function sample(bot: TestBot, series: string): Promise<number | undefined> {
  const text = await (await fetch(`${bot.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("scheduler metrics and the dashboard's watch state (issue 17 item 6)", () => {
  let state: { db: Db; drop(): Promise<void> };
  let bot: TestBot;
  let calls: SlackCall[];
  const clock = testClock();
  const probe = controllableChecks(['postgres.reachable']);

  beforeAll(async () => {
    state = await testStateDb();
    bot = await schedulerBot(state.db, clock, probe.checks, { schedules: { pollSeconds: 3600, watch: { everyMinutes: 5 } } });
    nock('https://hooks.slack.com').persist().post(/.*/).reply(200, 'ok');
    // Slack fails every post in CBROKEN with an error the job does not expect: the job throws and is retried.
    calls = captureSlackApi((c) =>
      c.body.channel === 'CBROKEN' && c.method === 'chat.postMessage' ? [200, { ok: false, error: 'fatal_error' }] : undefined,
    );
  });
  afterAll(async () => {
    await bot.stop();
    nock.cleanAll();
    await state.drop();
  });

  it('counts jobs run and failed per kind, the jobs due, and the lag of the oldest', async () => {
    // A status report due 5 minutes ago (a replica was down), and one that fails.
    await putSchedule(state.db, {
      kind: 'status',
      key: 'CLATE',
      channelId: 'CLATE',
      intervalMs: 15 * MIN,
      nextAt: new Date(clock.now().getTime() - 5 * MIN),
      createdBy: 'UALICE',
      now: clock.now(),
    });
    await putSchedule(state.db, {
      kind: 'status',
      key: 'CBROKEN',
      channelId: 'CBROKEN',
      intervalMs: 15 * MIN,
      nextAt: clock.now(),
      createdBy: 'UALICE',
      now: clock.now(),
    });
    await bot.bot.runSchedules();
    await settle(bot);
    expect(await sample(bot, 'caracal_chatops_schedule_jobs_due{kind="status"}')).toBe(2);
    expect(await sample(bot, 'caracal_chatops_schedule_jobs_due{kind="reminders"}')).toBe(1);
    expect(await sample(bot, 'caracal_chatops_schedule_lag_seconds')).toBe(300);
    expect(await sample(bot, 'caracal_chatops_schedule_jobs_total{kind="status",outcome="run"}')).toBe(1);
    expect(await sample(bot, 'caracal_chatops_schedule_jobs_total{kind="status",outcome="failed"}')).toBe(1);
    expect(await sample(bot, 'caracal_chatops_schedule_jobs_total{kind="reminders",outcome="run"}')).toBe(1);
    // The next pass finds nothing due: the gauges drop to 0 instead of keeping their last value.
    await bot.bot.runSchedules();
    expect(await sample(bot, 'caracal_chatops_schedule_jobs_due{kind="status"}')).toBe(0);
    expect(await sample(bot, 'caracal_chatops_schedule_lag_seconds')).toBe(0);
  });

  it('shows on the run dashboard whether the open gate is watched and how often, following `/caracal watch`', async () => {
    await runAtGate(bot, state.db, 'CWATCH', 'UALICE', clock);
    const dashboard = () =>
      calls
        .filter(
          (c) =>
            (c.method === 'chat.postMessage' || c.method === 'chat.update') &&
            c.body.channel === 'CWATCH' &&
            !c.body.thread_ts &&
            String(c.body.text).includes('Recovery run'),
        )
        .at(-1)!;
    const context = () =>
      (JSON.parse(String(dashboard().body.blocks)) as { type: string; elements?: { text: string }[] }[])[1].elements![0].text;
    expect(context()).toContain(':eyes: watching the open gate every 5 min');
    await bot.command('watch off', { channel_id: 'CWATCH', user_id: 'UALICE' });
    await settle(bot);
    expect(context()).toContain('watch off');
    expect(context()).not.toContain('watching');
    await bot.command('watch 2m', { channel_id: 'CWATCH', user_id: 'UALICE' });
    await settle(bot);
    expect(context()).toContain(':eyes: watching the open gate every 2 min');
  });
});
