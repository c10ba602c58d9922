import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/blocks/ids.ts';
import type { CheckDefinition } from '../../src/checks/types.ts';
import type { Db } from '../../src/store/db.ts';
import { buttonClick, captureSlackApi, startTestBot, testStateDb, type SlackCall, type TestBot } from '../helpers/slack.ts';

const ran: string[] = [];
const check = (id: string): CheckDefinition => ({
  id,
  title: id,
  gates: ['safety'],
  reads: '-',
  run: () => {
    ran.push(id);
    return Promise.resolve({ status: 'pass', summary: 'ok' });
  },
});

describe('/caracal troubleshoot', () => {
  let state: { db: Db; drop(): Promise<void> };
  let bot: TestBot;
  let calls: SlackCall[];
  const answers: { text?: string; blocks?: { elements?: { action_id: string; value: string }[] }[] }[] = [];
  beforeAll(async () => {
    state = await testStateDb();
    bot = await startTestBot({
      db: state.db,
      checks: [
        'gateway.revocation',
        'services.ready',
        'redis.reachable',
        'sts.policy',
        'audit.replay',
        'postgres.migrations',
        'audit.dlq',
      ].map(check),
    });
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

  it('lists the symptoms, explains one, and runs exactly its checks as a report in the channel', async () => {
    await bot.command('troubleshoot');
    await bot.bot.idle();
    expect(answers.at(-1)!.text).toContain('/caracal troubleshoot fail-closed');
    expect(answers.at(-1)!.text).toContain('/caracal troubleshoot rollback');
    await bot.command('troubleshoot fail-closed');
    await bot.bot.idle();
    const card = answers.at(-1)!;
    expect(JSON.stringify(card)).toContain('revocation state unavailable');
    const button = card.blocks!.flatMap((b) => b.elements ?? []).find((e) => e.action_id === ACTION.troubleshootRun)!;
    await bot.action(buttonClick(ACTION.troubleshootRun, button.value));
    await bot.bot.idle();
    expect(ran.sort()).toEqual(['audit.replay', 'gateway.revocation', 'redis.reachable', 'services.ready', 'sts.policy']);
    const report = calls.filter((c) => c.method === 'chat.update').at(-1)!;
    expect(String(report.body.text)).toContain('All 5 checks pass');
  });
});
