// Issue 18: a second click while the deep verification runs is told how far it is (zones done of all, rows checked
// so far), as the verifier writes it into the lease while it reads, not only when its replica was last heard from.
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/blocks/ids.ts';
import type { Db } from '../../src/store/db.ts';
import { insertBulkChain } from '../audit/bulk-chain.ts';
import { TEST_KEY_HEX } from '../audit/caracal-writer.ts';
import { SCHEMA_NOW } from '../audit/vectors.ts';
import { loadCaracalSchema } from '../fixtures/caracal-db.ts';
import { safetyVerifyButton, until } from '../helpers/deep-verify.ts';
import { slowLink } from '../helpers/faults.ts';
import { createTempDatabase, type TempDatabase } from '../helpers/pg.ts';
import { buttonClick, captureSlackApi, runClick, startTestBot, testStateDb, type SlackCall, type TestBot } from '../helpers/slack.ts';

// Read through a slow link (about 4 MB/s: a few seconds for these rows on any machine), so the second click lands
// while the verification runs, with progress written more than once.
const ROWS = 60_000;
const ZONES = 20;
const PROGRESS = /(\d+) of 20 zones done, ([\d,]+) rows checked; last heard from replica \S+ at \d\d:\d\d:\d\d UTC/;

describe('deep verification progress (issue 18)', () => {
  let caracal: TempDatabase;
  let link: Awaited<ReturnType<typeof slowLink>>;
  let state: { db: Db; drop(): Promise<void> };
  let bot: TestBot;
  let calls: SlackCall[];
  type Answer = { text?: string; blocks?: { elements?: { action_id: string; value: string }[] }[] };
  const answers: Answer[] = [];

  beforeAll(async () => {
    caracal = await createTempDatabase('auditp');
    await loadCaracalSchema(caracal, SCHEMA_NOW);
    const startMicros = BigInt(Date.parse('2026-01-31T12:00:00Z')) * 1000n + 1n;
    await insertBulkChain(caracal, { rows: ROWS, zones: ZONES, startMicros, stepMicros: 1_234_567, keyHex: TEST_KEY_HEX });
    const url = new URL(caracal.url);
    link = await slowLink(url.hostname, Number(url.port || 5432), 4000);
    url.hostname = '127.0.0.1';
    url.port = String(link.port);
    state = await testStateDb();
    bot = await startTestBot({
      db: state.db,
      checks: [],
      realTargets: true,
      file: {
        caracal: { postgres: { url: url.href, statementTimeoutMs: 10_000 } },
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
  }, 120_000);
  afterAll(async () => {
    await bot.stop();
    nock.cleanAll();
    await state.drop();
    await link.close();
    await caracal.drop();
  });

  const element = (a: Answer, id: string) => a.blocks?.flatMap((b) => b.elements ?? []).find((e) => e.action_id === id);
  const leaseProgress = async () =>
    (await state.db.query<{ progress: string | null }>('SELECT progress FROM exclusive_jobs')).rows[0]?.progress ?? '';

  it('a second click sees zones done of all and rows checked so far, written by the verifier as it reads', async () => {
    const channel = 'CPROG';
    const verify = await safetyVerifyButton(bot, state.db, calls, channel);
    await bot.action(await runClick(state.db, verify.runId, verify.action_id, verify.value, { user: 'UALICE' }));
    await bot.bot.idle();
    const card = element(answers.at(-1)!, ACTION.remediateRun)!;
    const running = bot.action(buttonClick(ACTION.remediateRun, card.value, { user: 'UALICE', channel }));

    // The zone count arrives while the COPY runs; the next throttled write carries it.
    await until(async () => PROGRESS.test(await leaseProgress()), 30_000);
    const from = answers.length;
    await bot.action(await runClick(state.db, verify.runId, verify.action_id, verify.value, { user: 'UBOB' }));
    await until(() => answers.length > from);
    const told = answers[from].text ?? '';
    expect(told).toMatch(/^<@UALICE> started \*Verify audit chain \(deep\)\* at .* UTC and it is still running \(\d+ s so far; /);
    const [, zonesDone, rows] = PROGRESS.exec(told) ?? [];
    expect(Number(zonesDone)).toBeLessThan(ZONES);
    const checked = Number((rows ?? '').replace(/,/g, ''));
    expect(checked).toBeGreaterThan(0);
    expect(checked).toBeLessThan(ROWS);

    // It runs to the end, and the lease goes with it.
    await running;
    await until(() => answers.some((a) => (a.text ?? '').includes(`All ${ROWS} audit rows in ${ZONES} zones verify`)), 60_000);
    await until(async () => (await state.db.query('SELECT 1 FROM exclusive_jobs')).rows.length === 0);
  }, 120_000);
});
