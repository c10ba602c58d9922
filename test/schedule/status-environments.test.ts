// Issue 17 item 6 for scheduled status: `/caracal status every 15m staging` checks staging's own Caracal (and a
// channel whose default is staging does so unasked), its reports name the environment, and a word that is no
// environment is refused rather than scheduled against the default.
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckDefinition } from '../../src/checks/types.ts';
import type { Db } from '../../src/store/db.ts';
import { getSchedule } from '../../src/store/schedules.ts';
import { captureSlackApi, testStateDb, type SlackCall, type TestBot } from '../helpers/slack.ts';
import { schedulerBot, settle, testClock } from './harness.ts';

/** Says which Postgres it was pointed at: the environment's own target, never another's. */
const where: CheckDefinition = {
  id: 'postgres.reachable',
  title: 'Which deployment',
  gates: ['storage'],
  reads: 'the configured Postgres URL',
  run: (ctx) => Promise.resolve({ status: 'pass', summary: `checked ${ctx.caracal.postgres.url ?? 'the default'}` }),
};

describe('scheduled status per environment (issue 17 item 6)', () => {
  let state: { db: Db; drop(): Promise<void> };
  let bot: TestBot;
  let calls: SlackCall[];
  const answers: string[] = [];
  const clock = testClock();

  beforeAll(async () => {
    state = await testStateDb();
    bot = await schedulerBot(state.db, clock, [where], {
      environments: { staging: { caracal: { postgres: { url: 'postgres://staging.example/caracal' } }, channels: ['CSTAGING'] } },
    });
    nock('https://hooks.slack.com')
      .persist()
      .post(/.*/, (b: unknown) => {
        answers.push(JSON.stringify(b));
        return true;
      })
      .reply(200, 'ok');
    calls = captureSlackApi();
  });
  afterAll(async () => {
    await bot.stop();
    nock.cleanAll();
    await state.drop();
  });
  const reports = (channel: string) =>
    calls.filter((c) => c.method === 'chat.postMessage' && c.body.channel === channel && String(c.body.blocks).includes(':repeat: Every'));
  /** The stored reports of a channel: their environment and what the check said it read. */
  const checked = async (channel: string) =>
    (
      await state.db.query<{ environment: string; summary: string }>(
        `SELECT environment, view->'results'->0->>'summary' AS summary FROM reports WHERE channel_id = $1`,
        [channel],
      )
    ).rows.map((r) => [r.environment, r.summary]);
  const schedule = async (text: string, channel: string) => {
    // What is decided at once (scheduled, or refused) is answered in the ack itself.
    const ack = await (await bot.command(text, { channel_id: channel, user_id: 'UALICE' })).text();
    if (ack) answers.push(ack);
    await settle(bot);
    await bot.bot.runSchedules();
    await settle(bot);
  };

  it('checks the environment named after the interval, and its report names it', async () => {
    await schedule('status every 15m staging', 'CSTAT');
    expect(answers.at(-1)).toContain('A status report of `staging` every 15 min');
    const [report] = reports('CSTAT');
    expect(String(report.body.text)).toContain('Caracal status (staging)');
    expect(String(report.body.blocks)).toContain('environment `staging`');
    expect(await checked('CSTAT')).toEqual([['staging', 'checked postgres://staging.example/caracal']]);
    expect((await getSchedule(state.db, 'status', 'CSTAT'))!.state).toMatchObject({ environment: 'staging' });
  });

  it("uses the channel's default environment when none is named, and the default one elsewhere", async () => {
    await schedule('status every 15m', 'CSTAGING');
    expect(String(reports('CSTAGING')[0].body.text)).toContain('Caracal status (staging)');
    expect(await checked('CSTAGING')).toEqual([['staging', 'checked postgres://staging.example/caracal']]);
    await schedule('status every 15m', 'COTHER');
    expect(String(reports('COTHER')[0].body.text)).toContain('Caracal status (default)');
    expect(await checked('COTHER')).toEqual([['default', 'checked the default']]);
  });

  it('refuses a word that is no environment instead of scheduling the default', async () => {
    await schedule('status every 15m stagign', 'CTYPO');
    expect(answers.at(-1)).toContain('\\"stagign\\" is not an environment');
    expect(await getSchedule(state.db, 'status', 'CTYPO')).toBeUndefined();
  });
});
