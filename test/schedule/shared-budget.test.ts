// Issues 17 and 18: a scheduled watch run and people's status reports spend one count of the bot's /ready calls.
// A burst of reports gets fewer calls through after a watch run in the same minute, and a watch run due after a
// burst waits for the next minute instead of pushing Caracal's /ready past its limit.
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckDefinition } from '../../src/checks/types.ts';
import type { HttpTarget } from '../../src/checks/targets/http.ts';
import type { Db } from '../../src/store/db.ts';
import { testConfig } from '../helpers/check-context.ts';
import { captureSlackApi, fakeContext, startTestBot, testStateDb, UNLIMITED, type TestBot } from '../helpers/slack.ts';
import { acceptResponseUrls, APPROVERS, MIN, runAtGate, settle, testClock } from './harness.ts';

const READY = 'http://api.test:3000/ready';
const BUDGET = 20; // the bot's own calls per minute to one /ready (limits.readyPerMinute)
const SHARE = 10; // what scheduled runs may let it reach (schedules.readyCallsPerMinute)

describe('one /ready budget for watch and status', () => {
  let state: { db: Db; drop(): Promise<void> };
  let bot: TestBot;
  const clock = testClock();
  let reached = 0; // calls that got to "Caracal"
  const http: HttpTarget = {
    request: (url) => {
      reached++;
      return Promise.resolve({ url, status: 200, text: '{"ok":true}', attempts: 1, header: () => undefined, json: () => ({ ok: true }) });
    },
  };
  const checks: CheckDefinition[] = [
    {
      id: 'services.api_ready',
      title: 'API ready',
      gates: ['storage'],
      reads: 'the test',
      async run(ctx, signal) {
        await ctx.http.request(READY, { signal });
        return { status: 'pass', summary: 'ready' };
      },
    },
  ];

  beforeAll(async () => {
    state = await testStateDb();
    const config = testConfig({});
    bot = await startTestBot({
      db: state.db,
      checks,
      file: {
        recovery: { approvers: { users: APPROVERS }, startRuns: 'anyone' },
        schedules: { pollSeconds: 3600, readyCallsPerMinute: SHARE, reuseResultsSeconds: 0 },
        limits: { ...UNLIMITED, readyPerMinute: BUDGET },
      },
      deps: { now: clock.now, checkContext: { ...fakeContext(config), http, now: clock.now } },
    });
    acceptResponseUrls();
    captureSlackApi();
  });
  afterAll(async () => {
    nock.cleanAll();
    await bot.stop();
    await state.drop();
  });

  const statusBurst = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await bot.command('status', { channel_id: 'CBURST', user_id: `U${i % 5}` });
      await bot.bot.idle();
    }
  };

  it('a watch run and a burst of status reports draw from the same budget, both ways', async () => {
    await runAtGate(bot, state.db, 'CBUDGET', 'UDAN', clock);
    clock.advance(5 * MIN); // 03:05:00: the watch's first look
    let before = reached;
    await bot.bot.runSchedules();
    await settle(bot);
    expect(reached - before).toBe(1);

    // Same minute: the watch's call is already counted, so the burst gets one call fewer through.
    before = reached;
    await statusBurst(BUDGET + 5);
    expect(reached - before).toBe(BUDGET - 1);

    // 03:10:30, the watch is due; a burst first spends the scheduler's share of this minute, so the watch waits.
    clock.advance(5 * MIN + 30_000);
    await statusBurst(SHARE);
    before = reached;
    await bot.bot.runSchedules();
    await settle(bot);
    expect(reached - before).toBe(0);

    clock.advance(30_000); // 03:11:00: a new minute, and the watch runs
    await bot.bot.runSchedules();
    await settle(bot);
    expect(reached - before).toBe(1);
  });
});
