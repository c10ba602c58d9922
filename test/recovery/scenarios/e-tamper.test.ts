// Scenario (e) of issue 12: an old audit row tampered outside the sweep window. The tamper counters stay 0; at
// Safety, audit.tamper says the last full sweep predates the incident until the deep verification has run; the
// verification finds the row; Resume is refused until two approvers acknowledge the finding with a written reason,
// recorded in the log; then Resume completes with no override.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCK, ELEMENT } from '../../../src/blocks/ids.ts';
import { OLD_TAMPER_TARGET_ID } from '../../../src/sandbox/caracal/seed.ts';
import { ALICE, BOB, CHANNEL, confirmGate, refusals, runChecks, startAndWalkToEvidence, startWalk, type Walk } from './residue-walk.ts';

const TITLE = 'Scenario e tamper';

describe('scenario (e): a tampered old row outside the sweep window', () => {
  let w: Walk;
  beforeAll(async () => {
    w = await startWalk();
    await w.sandbox.caracal.faults.inject('tampered_old_row');
  }, 180_000);
  afterAll(async () => {
    await w?.close();
  });

  async function acknowledge(user: string, reason: string): Promise<void> {
    await w.click(user, w.dashboard(TITLE).ts, 'finding_acknowledge');
    const modal = w.sandbox.slack.workspace.modalFor(user);
    expect(modal, refusals(w, user)).toBeDefined();
    const ack = await w.sandbox.slack.interact.submitView(user, modal!.id, {
      [BLOCK.findingAckReason]: { [ELEMENT.findingAckReasonInput]: reason },
    });
    expect(ack.error).toBeUndefined();
    await w.settle();
  }

  it('finds the row by deep verification at Safety and refuses Resume until two approvers acknowledge it', async () => {
    await startAndWalkToEvidence(w, TITLE);
    await runChecks(w, TITLE);
    await confirmGate(w, TITLE, 'evidence', ALICE);

    // Safety: the counters are 0, but the last full sweep predates the run: a warning until the deep verification.
    await runChecks(w, TITLE);
    let safety = JSON.stringify(w.dashboard(TITLE).blocks);
    expect(safety).toMatch(/:warning: `audit\.tamper`[^"]*one full sweep at Audit start; last full sweep/);
    const verify = w.actionIds(w.dashboard(TITLE)).find((id) => id.startsWith('gate_remediate:audit.verify_chain'));
    expect(verify, safety).toBeDefined();
    await w.click(ALICE, w.dashboard(TITLE).ts, verify!);
    const card = w.sandbox.slack.workspace
      .ephemeralsFor(ALICE, CHANNEL)
      .filter((e) => JSON.stringify(e.blocks).includes('remediate_run'))
      .at(-1);
    expect(card, refusals(w, ALICE)).toBeDefined();
    await w.click(ALICE, card!.ts, 'remediate_run');
    safety = JSON.stringify(w.dashboard(TITLE).blocks);
    expect(safety).toContain(`row id=\`${OLD_TAMPER_TARGET_ID}\``);
    expect(safety).toContain('content_mismatch');

    await runChecks(w, TITLE);
    await confirmGate(w, TITLE, 'safety', ALICE);

    // Resume: refused with the finding named, whoever confirms first (what Freeze froze is restored first).
    await runChecks(w, TITLE);
    await w.click(BOB, w.dashboard(TITLE).ts, 'freeze_checklist', { selected: ['rollouts', 'policies', 'control'] });
    await w.click(ALICE, w.dashboard(TITLE).ts, 'gate_confirm');
    expect(refusals(w, ALICE)).toContain(`row id=${OLD_TAMPER_TARGET_ID}`);
    await acknowledge(ALICE, 'Row restored from the 02:00 backup; security has the pg_dump of the partition.');
    await w.click(BOB, w.dashboard(TITLE).ts, 'gate_confirm');
    expect(refusals(w, BOB)).toContain('1 of 2 so far');
    await acknowledge(BOB, 'Compared with the Parquet export: the change predates this incident and is handled by security.');

    await confirmGate(w, TITLE, 'resume', ALICE);
    await confirmGate(w, TITLE, 'resume', BOB);
    const thread = w.threadText(TITLE);
    expect(thread).toContain('acknowledged the deep verification finding');
    expect(thread).toContain('Row restored from the 02:00 backup');
    expect(thread).toContain('Compared with the Parquet export');
    expect(thread).toContain('completed Resume');
    expect(thread).not.toMatch(/requested an override/);
  }, 300_000);
});
