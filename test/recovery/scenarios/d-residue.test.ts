// Scenario (d) of issue 12: residue from before the incident (a dead-lettered revocation and an integrity DLQ entry)
// is recorded in the run's baseline, shown as information at Evidence, exported into the incident log by the
// break-glass step and removed with the XDEL it shows ("Done by me" recorded); Evidence is confirmed with no override,
// and the run goes on to Resume with no override.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BOB, CHANNEL, confirmGate, refusals, runChecks, startAndWalkToEvidence, startWalk, type Walk } from './residue-walk.ts';

const TITLE = 'Scenario d residue';

describe('scenario (d): residue from before the incident', () => {
  let w: Walk;
  beforeAll(async () => {
    w = await startWalk();
    await w.sandbox.caracal.faults.inject('historic_residue');
  }, 180_000);
  afterAll(async () => {
    await w?.close();
  });

  it('records the residue at the start, shows it as old at Evidence, exports and removes it, and confirms Evidence without override', async () => {
    await startAndWalkToEvidence(w, TITLE);
    const thread = w.threadText(TITLE);
    expect(thread).toContain('Residue baseline recorded');
    expect(thread).toMatch(/caracal\.sessions\.revoke\.dead 1 \(last id \d+-\d+\)/);
    expect(thread).toContain('Audit DLQ: 1 entries, 1 with integrity reasons');

    await runChecks(w, TITLE);
    const evidence = JSON.stringify(w.dashboard(TITLE).blocks);
    expect(evidence).not.toMatch(/redis\.dead-streams` [^"]*: /); // passing checks carry no summary line
    const exportButton = w.actionIds(w.dashboard(TITLE)).find((id) => id.startsWith('gate_remediate:residue.export'));
    expect(exportButton, evidence).toBeDefined();

    await w.click(ALICE, w.dashboard(TITLE).ts, exportButton!);
    const card = w.sandbox.slack.workspace
      .ephemeralsFor(ALICE, CHANNEL)
      .filter((e) => JSON.stringify(e.blocks).includes('break_glass_done'))
      .at(-1);
    expect(card, refusals(w, ALICE)).toBeDefined();
    const exported = w.threadText(TITLE);
    expect(exported).toContain('exported 2 residue entries');
    expect(exported).toMatch(/caracal\.sessions\.revoke\.dead \d+-\d+ original_id=/);
    expect(exported).toMatch(/caracal\.audit\.events\.dlq \d+-\d+ reason=\\*"hmac_verify_failed/);

    // The operator runs exactly the XDEL shown, then says so.
    const commands = [...JSON.stringify(card!.blocks).matchAll(/XDEL (\S+) ((?:\d+-\d+ ?)+)/g)].map((m) => [
      m[1],
      ...m[2].trim().split(' '),
    ]);
    expect(commands.map((c) => c[0]).sort()).toEqual(['caracal.audit.events.dlq', 'caracal.sessions.revoke.dead']);
    for (const [stream, ...ids] of commands) expect(await w.redis.client.xdel(stream, ...ids)).toBe(ids.length);
    await w.click(ALICE, card!.ts, 'break_glass_done');
    expect(w.threadText(TITLE)).toContain('done by hand (break-glass)');

    await runChecks(w, TITLE);
    await confirmGate(w, TITLE, 'evidence', ALICE);
    expect(w.threadText(TITLE)).not.toMatch(/override/i);
  }, 240_000);

  it('goes on to Resume with no override: the deep verification at Safety, what Freeze froze restored, two approvers', async () => {
    await runChecks(w, TITLE);
    const verify = w.actionIds(w.dashboard(TITLE)).find((id) => id.startsWith('gate_remediate:audit.verify_chain'));
    expect(verify, JSON.stringify(w.dashboard(TITLE).blocks)).toBeDefined();
    await w.click(ALICE, w.dashboard(TITLE).ts, verify!);
    const card = w.sandbox.slack.workspace
      .ephemeralsFor(ALICE, CHANNEL)
      .filter((e) => JSON.stringify(e.blocks).includes('remediate_run'))
      .at(-1);
    expect(card, refusals(w, ALICE)).toBeDefined();
    await w.click(ALICE, card!.ts, 'remediate_run');
    await runChecks(w, TITLE);
    await confirmGate(w, TITLE, 'safety', ALICE);

    await runChecks(w, TITLE);
    await w.click(BOB, w.dashboard(TITLE).ts, 'freeze_checklist', { selected: ['rollouts', 'policies', 'control'] });
    await confirmGate(w, TITLE, 'resume', ALICE);
    await confirmGate(w, TITLE, 'resume', BOB);
    const thread = w.threadText(TITLE);
    expect(thread, refusals(w, BOB)).toContain('completed Resume');
    // The timeline holds the residue, its export and its removal, the verification, and no override.
    expect(thread).toContain('Residue baseline recorded');
    expect(thread).toContain('exported 2 residue entries');
    expect(thread).toContain('done by hand (break-glass)');
    expect(thread).toMatch(/Verify audit chain \(deep\)/);
    expect(thread).not.toMatch(/requested an override/);
  }, 240_000);
});
