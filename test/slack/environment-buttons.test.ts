// Issue 17 item 6 for buttons, through the sandbox's Slack emulation and a real Postgres: a status report's Re-run,
// Details and Start recovery act on the environment of the report (carried in the button), and troubleshooting's
// "Run these checks" runs against the environment of the command (named, else the channel's default).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/blocks/ids.ts';
import type { CheckDefinition } from '../../src/checks/types.ts';
import type { Db } from '../../src/store/db.ts';
import { findRunId, loadRun } from '../../src/store/runs.ts';
import { startSandboxBot, type SandboxBot } from '../helpers/sandbox-bot.ts';
import { testStateDb } from '../helpers/state.ts';

/** A check of the fail-closed symptom that says which Postgres it was pointed at: the environment's own target. */
const where: CheckDefinition = {
  id: 'gateway.revocation',
  title: 'Which deployment',
  gates: ['safety'],
  reads: 'the configured Postgres URL',
  run: (ctx) => Promise.resolve({ status: 'pass', summary: `checked ${ctx.caracal.postgres.url ?? 'the default'}` }),
};

type Element = { action_id?: string; value?: string };
const values = (blocks: unknown, actionId: string) =>
  (blocks as { elements?: Element[] }[])
    .flatMap((b) => b.elements ?? [])
    .filter((e) => e.action_id === actionId)
    .map((e) => JSON.parse(e.value ?? '{}') as Record<string, unknown>);

describe('buttons act on their environment (issue 17 item 6)', () => {
  let state: { db: Db; drop(): Promise<void> };
  let t: SandboxBot;

  beforeAll(async () => {
    state = await testStateDb();
    t = await startSandboxBot({
      db: state.db,
      checks: [where],
      file: {
        caracal: { postgres: { url: 'postgres://prod.example/caracal' } },
        environments: { staging: { caracal: { postgres: { url: 'postgres://staging.example/caracal' } }, channels: ['C0DRILLS'] } },
        recovery: { approvers: { users: ['U0ALICE', 'U0BOB'] }, startRuns: 'anyone' },
      },
    });
  });
  afterAll(async () => {
    await t.stop();
    await state.drop();
  });
  const lastReport = (channel: string) =>
    t.slack.workspace
      .history(channel)
      .filter((m) => m.text.includes('Caracal status'))
      .at(-1)!;
  const summaries = async (channel: string) =>
    (
      await state.db.query<{ environment: string; summary: string }>(
        `SELECT environment, view->'results'->0->>'summary' AS summary FROM reports WHERE channel_id = $1 AND complete ORDER BY created_at`,
        [channel],
      )
    ).rows.map((r) => [r.environment, r.summary]);

  it('Re-run, Details and Start recovery of a staging report act on staging, in a channel whose default is not', async () => {
    await t.slack.interact.command('U0EVE', 'C0INCIDENT', '/caracal status staging');
    await t.settle();
    const report = lastReport('C0INCIDENT');
    expect(values(report.blocks, ACTION.statusRerun)).toEqual([{ v: 2, reportId: expect.any(String) as string, env: 'staging' }]);
    await t.slack.interact.click('U0EVE', 'C0INCIDENT', report.ts, ACTION.statusRerun);
    await t.settle();
    expect(lastReport('C0INCIDENT').text).toContain('Caracal status (staging)');
    expect(await summaries('C0INCIDENT')).toEqual([
      ['staging', 'checked postgres://staging.example/caracal'],
      ['staging', 'checked postgres://staging.example/caracal'],
    ]);
    await t.slack.interact.click('U0EVE', 'C0INCIDENT', report.ts, ACTION.statusDetails);
    await t.settle();
    const details = t.slack.workspace.replies('C0INCIDENT', report.ts).find((m) => m.text.includes('Status report details'))!;
    expect(details.text).toContain('Status report details (staging)');
    expect(JSON.stringify(details.blocks)).toContain('Evidence of the `staging` environment');
    await t.slack.interact.click('U0ALICE', 'C0INCIDENT', report.ts, ACTION.statusStartRecovery);
    await t.settle();
    const run = (await loadRun(state.db, (await findRunId(state.db, 'C0INCIDENT', 'active'))!))!;
    expect(run.environment).toBe('staging');
    await t.slack.interact.command('U0ALICE', 'C0INCIDENT', '/caracal cancel');
    await t.settle();
  });

  it("troubleshooting runs its checks against the environment named, else the channel's default", async () => {
    await t.slack.interact.command('U0EVE', 'C0INCIDENT', '/caracal troubleshoot staging fail-closed');
    await t.settle();
    const card = t.slack.workspace
      .ephemeralsFor('U0EVE', 'C0INCIDENT')
      .filter((e) => e.text.includes('fail closed'))
      .at(-1)!;
    expect(JSON.stringify(card.blocks)).toContain('*Environment:* `staging`');
    expect(values(card.blocks, ACTION.troubleshootRun)).toEqual([{ v: 2, symptom: 'fail-closed', env: 'staging' }]);
    await t.slack.interact.click('U0EVE', 'C0INCIDENT', card.ts, ACTION.troubleshootRun);
    await t.settle();
    expect(lastReport('C0INCIDENT').text).toContain('Caracal status (staging)');
    expect((await summaries('C0INCIDENT')).at(-1)).toEqual(['staging', 'checked postgres://staging.example/caracal']);

    // #drills' default is staging: the card needs no name; #incident's is the default environment.
    await t.slack.interact.command('U0EVE', 'C0DRILLS', '/caracal troubleshoot fail-closed');
    await t.settle();
    const drills = t.slack.workspace
      .ephemeralsFor('U0EVE', 'C0DRILLS')
      .filter((e) => e.text.includes('fail closed'))
      .at(-1)!;
    await t.slack.interact.click('U0EVE', 'C0DRILLS', drills.ts, ACTION.troubleshootRun);
    await t.settle();
    expect((await summaries('C0DRILLS')).at(-1)).toEqual(['staging', 'checked postgres://staging.example/caracal']);
    await t.slack.interact.command('U0EVE', 'C0INCIDENT', '/caracal troubleshoot fail-closed');
    await t.settle();
    const incident = t.slack.workspace
      .ephemeralsFor('U0EVE', 'C0INCIDENT')
      .filter((e) => e.text.includes('fail closed'))
      .at(-1)!;
    await t.slack.interact.click('U0EVE', 'C0INCIDENT', incident.ts, ACTION.troubleshootRun);
    await t.settle();
    expect((await summaries('C0INCIDENT')).at(-1)).toEqual(['default', 'checked postgres://prod.example/caracal']);
  });
});
