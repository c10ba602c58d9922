// Issue 18: "Verify audit chain (deep)" is approver-only and runs one at a time: eight clicks while one runs open
// one connection to Caracal's Postgres, each later click is told who started it, and an approver can cancel it.
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/blocks/ids.ts';
import type { Db } from '../../src/store/db.ts';
import { listEvents } from '../../src/store/events.ts';
import { safetyVerifyButton, until } from '../helpers/deep-verify.ts';
import { blackHole } from '../helpers/faults.ts';
import { buttonClick, captureSlackApi, runClick, startTestBot, testStateDb, type SlackCall, type TestBot } from '../helpers/slack.ts';

describe('deep verification guarded (issue 18)', () => {
  let state: { db: Db; drop(): Promise<void> };
  let bot: TestBot;
  let calls: SlackCall[];
  let stalling: Awaited<ReturnType<typeof blackHole>>;
  type Answer = { text?: string; blocks?: { elements?: { action_id: string; value: string }[] }[] };
  const answers: Answer[] = [];

  beforeAll(async () => {
    // Caracal's Postgres that accepts connections and never answers: the verification stays running, and every
    // connection the bot opens to it is counted.
    stalling = await blackHole();
    const port = stalling.port;
    state = await testStateDb();
    bot = await startTestBot({
      db: state.db,
      checks: [],
      realTargets: true,
      file: {
        caracal: { postgres: { url: `postgres://caracal@127.0.0.1:${port}/caracal`, statementTimeoutMs: 60_000 } },
        recovery: { approvers: { users: ['UALICE', 'UBOB'] } },
      },
    });
    calls = captureSlackApi();
    nock('https://hooks.slack.com')
      .persist()
      .post(/.*/, (b: Answer) => {
        answers.push(b);
        return true;
      })
      .reply(200, 'ok');
  });
  afterAll(async () => {
    await stalling.close(); // its connections are cut first, so nothing of the bot waits on them
    await bot.stop();
    nock.cleanAll();
    await state.drop();
  });

  const element = (a: Answer, id: string) => a.blocks?.flatMap((b) => b.elements ?? []).find((e) => e.action_id === id);

  it('refuses a non-approver; eight clicks while one runs reach Caracal once; Cancel stops it', async () => {
    const channel = 'CDEEP';
    const verify = await safetyVerifyButton(bot, state.db, calls, channel);
    const { runId } = verify;

    await bot.action(await runClick(state.db, runId, verify.action_id, verify.value, { user: 'UEVE' }));
    await bot.bot.idle();
    expect(answers.at(-1)!.text).toContain('Only configured approvers');

    await bot.action(await runClick(state.db, runId, verify.action_id, verify.value, { user: 'UALICE' }));
    await bot.bot.idle();
    const card = element(answers.at(-1)!, ACTION.remediateRun)!;
    void bot.action(buttonClick(ACTION.remediateRun, card.value, { user: 'UALICE', channel }));
    await until(async () => (await state.db.query('SELECT 1 FROM exclusive_jobs')).rows.length === 1 && stalling.accepted() === 1);
    const running = await until(() => answers.some((a) => element(a, ACTION.exclusiveCancel))).then(() =>
      answers.find((a) => element(a, ACTION.exclusiveCancel))!,
    );

    const from = answers.length;
    await Promise.all([
      ...['UALICE', 'UBOB', 'UALICE', 'UBOB', 'UALICE', 'UBOB'].map(async (user) =>
        bot.action(await runClick(state.db, runId, verify.action_id, verify.value, { user })),
      ),
      bot.action(buttonClick(ACTION.remediateRun, card.value, { user: 'UBOB', channel })), // the first card again
    ]);
    await until(() => answers.length - from >= 7);
    const told = answers.slice(from).map((a) => a.text ?? '');
    expect(told).toHaveLength(7);
    for (const t of told)
      expect(t).toMatch(/^<@UALICE> started \*Verify audit chain \(deep\)\* at .* UTC and it is still running \(\d+ s so far/);
    expect(stalling.accepted()).toBe(1); // one connection to Caracal's Postgres, not eight

    await bot.action(buttonClick(ACTION.exclusiveCancel, element(running, ACTION.exclusiveCancel)!.value, { user: 'UBOB', channel }));
    await until(() => answers.some((a) => /cancelled by <@UBOB>/.test(a.text ?? '')), 15_000);
    await bot.bot.idle();
    const events = await listEvents(state.db, runId);
    expect(events.filter((e) => e.type === 'action_started')).toHaveLength(1);
    expect(events.find((e) => e.type === 'action_finished')?.data).toMatchObject({
      result: 'failure',
      summary: expect.stringContaining('cancelled by <@UBOB>') as string,
    });
    expect((await state.db.query('SELECT 1 FROM exclusive_jobs')).rows).toHaveLength(0);
  });
});
