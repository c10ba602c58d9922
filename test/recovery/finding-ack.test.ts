// A deep verification finding blocks Resume until two distinct approvers acknowledge it with a written reason
// (issue 12, item 5); a clean verification, or none, blocks nothing.
import { describe, expect, it } from 'vitest';
import { decide, type Actor, type Command, type GatePolicy } from '../../src/recovery/machine.ts';
import type { RunState, RunVerification } from '../../src/domain/run.ts';
import type { Gate } from '../../src/domain/gates.ts';
import { runAtGate } from '../helpers/run-state.ts';

const NOW = new Date('2026-11-30T08:00:00Z');
const APPROVERS: ReadonlySet<string> = new Set(['UALICE', 'UBOB']);
const alice: Actor = { userId: 'UALICE', isApprover: true, currentApprovers: APPROVERS };
const bob: Actor = { userId: 'UBOB', isApprover: true, currentApprovers: APPROVERS };
const eve: Actor = { userId: 'UEVE', isApprover: false };
const policy: GatePolicy = {
  freshnessMs: 5 * 60_000,
  approvalsRequired: { freeze: 1, storage: 1, services: 1, evidence: 1, safety: 1, resume: 2 },
  requiredChecks: (g) => (g === 'freeze' ? [] : ['audit.tamper']),
};

const finding = { zoneId: 'zone-a', rowId: 'row-3', chainSeq: '3', kinds: ['content_mismatch'] };
function verification(patch: Partial<RunVerification> = {}): RunVerification {
  return {
    eventId: 41,
    at: NOW,
    actor: 'UALICE',
    clean: false,
    hmacChecked: true,
    rowsChecked: 6,
    findings: [finding],
    acks: [],
    ...patch,
  };
}

function runAtResume(v: RunVerification | undefined): RunState {
  return runAtGate('resume', {
    run: { startedAt: NOW, ...(v ? { verification: v } : {}) },
    gate: (g) => ({
      openedAt: NOW,
      checks: g === 'freeze' ? [] : [{ checkId: 'audit.tamper', status: 'pass', summary: 'ok', startedAt: NOW, finishedAt: NOW }],
    }),
  });
}

const ack = (reason = 'Row 3 restored from the 02:00 backup; security has the dump'): Command => ({
  type: 'acknowledge_finding',
  verificationEventId: 41,
  reason,
});

function step(run: RunState, gate: Gate, cmd: Command, actor: Actor) {
  return decide(run, gate, cmd, actor, policy, NOW);
}

describe('deep verification findings at Resume', () => {
  it('refuses Resume until two distinct approvers acknowledged, then completes with the usual two votes', () => {
    let run = runAtResume(verification());
    const refused = step(run, 'resume', { type: 'confirm' }, alice);
    expect(refused).toMatchObject({ ok: false, kind: 'denied' });
    if (!refused.ok) expect(refused.reason).toContain('zone zone-a, row id=row-3 (chain_seq 3), content_mismatch');

    const first = step(run, 'resume', ack(), alice);
    if (!first.ok) throw new Error(first.reason);
    expect(first.events).toEqual([
      expect.objectContaining({
        type: 'finding_acknowledged',
        actor: 'UALICE',
        data: expect.objectContaining({ reason: 'Row 3 restored from the 02:00 backup; security has the dump', acks: 1, required: 2 }),
      }),
    ]);
    run = first.run;
    expect(step(run, 'resume', ack(), alice)).toMatchObject({ ok: false, kind: 'denied' });
    const stillRefused = step(run, 'resume', { type: 'confirm' }, alice);
    if (stillRefused.ok) throw new Error('one acknowledgement must not be enough');
    expect(stillRefused.reason).toContain('1 of 2 so far');

    const second = step(run, 'resume', ack('Checked the row against the Parquet export: matches the backup'), bob);
    if (!second.ok) throw new Error(second.reason);
    run = second.run;
    const vote = step(run, 'resume', { type: 'confirm' }, alice);
    if (!vote.ok) throw new Error(vote.reason);
    const done = step(vote.run, 'resume', { type: 'confirm' }, bob);
    if (!done.ok) throw new Error(done.reason);
    expect(done.run.status).toBe('resumed');
  });

  it('needs a written reason, an approver, the Resume gate and the current verification', () => {
    const run = runAtResume(verification());
    expect(step(run, 'resume', ack('   '), alice)).toMatchObject({ ok: false, kind: 'denied' });
    expect(step(run, 'resume', ack(), eve)).toMatchObject({ ok: false, kind: 'denied' });
    expect(step(run, 'resume', { type: 'acknowledge_finding', verificationEventId: 40, reason: 'an older one' }, alice)).toMatchObject({
      ok: false,
      kind: 'conflict',
    });
    const atSafety = {
      ...run,
      gates: run.gates.map((g) =>
        g.gate === 'safety' ? { ...g, status: 'open' as const } : g.gate === 'resume' ? { ...g, status: 'locked' as const } : g,
      ),
    };
    expect(step(atSafety, 'safety', ack(), alice)).toMatchObject({ ok: false, kind: 'denied' });
  });

  it('blocks nothing when the verification is clean or was never run', () => {
    for (const run of [runAtResume(verification({ clean: true, findings: [] })), runAtResume(undefined)]) {
      const vote = step(run, 'resume', { type: 'confirm' }, alice);
      expect(vote.ok).toBe(true);
      expect(step(run, 'resume', ack(), alice)).toMatchObject({ ok: false, kind: 'conflict' });
    }
  });
});
