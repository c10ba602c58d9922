// Issue 14: a status report whose final update fails does not leave "Checking…" in the channel for good.
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckDefinition } from '../../src/checks/types.ts';
import type { Db } from '../../src/store/db.ts';
import { captureSlackApi, startTestBot, testStateDb, type TestBot } from '../helpers/slack.ts';

const CHECK: CheckDefinition = {
  id: 'redis.reachable',
  title: 'Redis reachable',
  gates: ['storage'],
  description: 'x',
  run: () => Promise.resolve({ status: 'pass', summary: 'fine', evidence: [], metrics: {} }),
} as unknown as CheckDefinition;

describe('status reports through the egress', () => {
  let state: { db: Db; drop(): Promise<void> };
  let bot: TestBot;
  beforeAll(async () => {
    state = await testStateDb();
    bot = await startTestBot({ db: state.db, checks: [CHECK] });
  });
  afterAll(async () => {
    await bot.stop();
    nock.cleanAll();
    await state.drop();
  });

  it('retries the final update until Slack shows it', async () => {
    let slackDown = true;
    const calls = captureSlackApi((c) =>
      c.method === 'chat.update' && slackDown ? [500, { ok: false, error: 'internal_error' }] : undefined,
    );
    expect((await bot.command('status', { channel_id: 'CREPORT' })).status).toBe(200);
    await bot.bot.idle();
    const unshown = async () =>
      (await state.db.query<{ shown: boolean }>(`SELECT shown FROM reports WHERE channel_id = 'CREPORT'`)).rows[0]?.shown;
    expect(await unshown()).toBe(false); // the report ran to the end, its final update failed
    slackDown = false;
    await state.db.query(`UPDATE reports SET next_show_at = now() WHERE channel_id = 'CREPORT'`);
    await bot.bot.sweepReports();
    expect(await unshown()).toBe(true);
    const last = calls.filter((c) => c.method === 'chat.update').at(-1)!;
    expect(String(last.body.text)).not.toContain('Checking');
    expect(last.reply.ok).toBe(true);
  });
});
