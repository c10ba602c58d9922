// Issue 17 items 2 and 3 end to end through the sandbox's Slack emulation and a real Postgres: the dashboard's
// "Hand off…" button opens a modal whose submission takes the command's path; the timeline starts with the summary;
// a named environment is checked with its own targets, and runs and reports name their environment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION, BLOCK, ELEMENT } from '../../src/blocks/ids.ts';
import type { CheckDefinition } from '../../src/checks/types.ts';
import type { Db } from '../../src/store/db.ts';
import { listEvents } from '../../src/store/events.ts';
import { findRunId, loadRun } from '../../src/store/runs.ts';
import { testStateDb } from '../helpers/state.ts';
import { startSandboxBot, type SandboxBot } from '../helpers/sandbox-bot.ts';

/** Reports which Postgres URL it was given: the environment's own target, never another's. */
const whereCheck: CheckDefinition = {
  id: 'fake.where',
  title: 'Which deployment',
  gates: ['storage'],
  reads: 'the configured Postgres URL',
  run: (ctx) => Promise.resolve({ status: 'pass', summary: `checked ${ctx.caracal.postgres.url ?? 'none'}` }),
};

describe('handoff button, timeline summary and environments (issue 17)', () => {
  let state: { db: Db; drop(): Promise<void> };
  let t: SandboxBot;

  beforeAll(async () => {
    state = await testStateDb();
    t = await startSandboxBot({
      db: state.db,
      checks: [whereCheck],
      file: {
        caracal: { postgres: { url: 'postgres://prod.example/caracal' } },
        environments: { staging: { caracal: { postgres: { url: 'postgres://staging.example/caracal' } }, channels: ['C0DRILLS'] } },
      },
      env: { STAGING_CARACAL_POSTGRES_PASSWORD: 'staging-secret-password-1' },
    });
  });
  afterAll(async () => {
    await t.stop();
    await state.drop();
  });

  it('hands the open gate off from the dashboard: modal, note in the log, same rules as the command', async () => {
    await t.slack.interact.command('U0ALICE', 'C0INCIDENT', '/caracal recover Redis outage');
    await t.settle();
    const dashboard = t.slack.workspace.history('C0INCIDENT').find((m) => m.text.includes('Redis outage'))!;
    // Eve (not the claimant, not an approver) may open the modal, but the service refuses her handoff.
    expect((await t.slack.interact.click('U0EVE', 'C0INCIDENT', dashboard.ts, ACTION.gateHandoff)).status).toBe(200);
    await t.settle();
    const eveModal = t.slack.workspace.modalFor('U0EVE')!;
    const values = {
      [BLOCK.handoffTo]: { [ELEMENT.handoffToSelect]: 'U0BOB' },
      [BLOCK.handoffNote]: { [ELEMENT.handoffNoteInput]: 'take it' },
    };
    await t.slack.interact.submitView('U0EVE', eveModal.id, values);
    await t.settle();
    expect(
      t.slack.workspace
        .ephemeralsFor('U0EVE', 'C0INCIDENT')
        .map((e) => e.text)
        .join('\n'),
    ).toContain('Not handed off: Only whoever claims this gate or an approver');
    // An empty note is refused in the modal itself.
    await t.slack.interact.click('U0ALICE', 'C0INCIDENT', dashboard.ts, ACTION.gateHandoff);
    await t.settle();
    const modal = t.slack.workspace.modalFor('U0ALICE')!;
    await t.slack.interact.submitView('U0ALICE', modal.id, {
      [BLOCK.handoffTo]: { [ELEMENT.handoffToSelect]: 'U0BOB' },
      [BLOCK.handoffNote]: { [ELEMENT.handoffNoteInput]: '' },
    });
    expect(t.slack.workspace.modalFor('U0ALICE')?.errors[BLOCK.handoffNote]).toBeDefined();
    const ack = await t.slack.interact.submitView('U0ALICE', modal.id, {
      [BLOCK.handoffTo]: { [ELEMENT.handoffToSelect]: 'U0BOB' },
      [BLOCK.handoffNote]: { [ELEMENT.handoffNoteInput]: 'Freeze items: rollouts left' },
    });
    expect(ack.status).toBe(200);
    await t.settle();
    expect(t.slack.workspace.modalFor('U0ALICE')).toBeUndefined();
    const runId = (await findRunId(state.db, 'C0INCIDENT', 'active'))!;
    expect((await loadRun(state.db, runId))!.gates[0].claimedBy).toBe('U0BOB');
    const handed = (await listEvents(state.db, runId)).filter((e) => e.type === 'gate_handed_off');
    expect(handed).toHaveLength(1);
    expect(handed[0]).toMatchObject({ actor: 'U0ALICE', data: { to: 'U0BOB', note: 'Freeze items: rollouts left' } });
    const thread = t.slack.workspace
      .replies('C0INCIDENT', dashboard.ts)
      .map((m) => m.text)
      .join('\n');
    expect(thread).toContain('Freeze items: rollouts left');
  });

  it('puts the run summary at the top of the timeline export', async () => {
    await t.slack.interact.command('U0EVE', 'C0INCIDENT', '/caracal timeline');
    await t.settle();
    const posted = t.slack.workspace.history('C0INCIDENT').find((m) => m.text.startsWith('Timeline for the review'))!;
    const md = JSON.stringify(posted.blocks);
    const summary = md.indexOf('## Summary');
    expect(summary).toBeGreaterThan(0);
    expect(summary).toBeLessThan(md.indexOf('## Time per gate'));
    expect(md).toContain('held by @bob (U0BOB)');
    expect(md).toContain('**Next:** Tick the Freeze checklist');
  });

  it('checks the named environment with its own targets, and names it in the report and the stored report', async () => {
    await t.slack.interact.command('U0EVE', 'C0INCIDENT', '/caracal status staging');
    await t.settle();
    const report = t.slack.workspace
      .history('C0INCIDENT')
      .filter((m) => m.text.includes('Caracal status'))
      .at(-1)!;
    expect(report.text).toContain('Caracal status (staging)');
    expect(JSON.stringify(report.blocks)).toContain('environment `staging`');
    const rows = (
      await state.db.query<{ environment: string; view: { results: { summary: string }[] } }>(
        'SELECT environment, view FROM reports WHERE complete',
      )
    ).rows;
    expect(rows.map((r) => [r.environment, r.view.results[0]?.summary])).toEqual([
      ['staging', 'checked postgres://staging.example/caracal'],
    ]);
    // No environment named: the channel's default (#incident has none: the default environment).
    await t.slack.interact.command('U0EVE', 'C0INCIDENT', '/caracal status');
    await t.settle();
    const envs = (
      await state.db.query<{ environment: string }>('SELECT environment FROM reports WHERE complete ORDER BY created_at')
    ).rows.map((r) => r.environment);
    expect(envs).toEqual(['staging', 'default']);
    // An unknown word is refused, not silently checked against the default.
    await t.slack.interact.command('U0EVE', 'C0INCIDENT', '/caracal status stagign');
    await t.settle();
    expect(
      t.slack.workspace
        .ephemeralsFor('U0EVE', 'C0INCIDENT')
        .map((e) => e.text)
        .join('\n'),
    ).toContain('"stagign" is not an environment');
  });

  it("starts runs in the channel's default environment or the one named, and their gate checks use its targets", async () => {
    await t.slack.interact.command('U0ALICE', 'C0DRILLS', '/caracal recover Staging Postgres down');
    await t.settle();
    const runId = (await findRunId(state.db, 'C0DRILLS', 'active'))!;
    const run = (await loadRun(state.db, runId))!;
    expect(run.environment).toBe('staging');
    expect(run.title).toBe('Staging Postgres down');
    const dashboard = t.slack.workspace.history('C0DRILLS').find((m) => m.text.includes('Staging Postgres down'))!;
    expect(JSON.stringify(dashboard.blocks)).toContain('environment `staging`');
    // Walk to Storage and run its checks: they read staging's Postgres, not prod's.
    await t.slack.interact.click('U0ALICE', 'C0DRILLS', dashboard.ts, ACTION.freezeChecklist, {
      selected: ['rollouts', 'policies', 'control'],
    });
    await t.settle();
    await t.slack.interact.click('U0ALICE', 'C0DRILLS', dashboard.ts, ACTION.gateConfirm);
    await t.settle();
    await t.slack.interact.click('U0ALICE', 'C0DRILLS', dashboard.ts, ACTION.gateRunChecks);
    await t.settle();
    const storage = (await loadRun(state.db, runId))!.gates.find((g) => g.gate === 'storage')!;
    expect(storage.checks.map((c) => c.summary)).toEqual(['checked postgres://staging.example/caracal']);
    await t.slack.interact.command('U0ALICE', 'C0DRILLS', '/caracal cancel');
    await t.settle();
  });

  it("never lets an environment's secret reach Slack", () => {
    const everything = JSON.stringify(t.slack.workspace.history('C0INCIDENT')) + JSON.stringify(t.slack.workspace.history('C0DRILLS'));
    expect(everything).not.toContain('staging-secret-password-1');
    expect(t.logLines.join('\n')).not.toContain('staging-secret-password-1');
  });
});
