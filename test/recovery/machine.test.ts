import { describe, expect, it } from 'vitest';
import { eventOf } from '../helpers/events.ts';
import { ALLOWED, decide, type Actor, type Command, type CommandType, type GatePolicy } from '../../src/recovery/machine.ts';
import type { GateState, GateStatus, RunState } from '../../src/domain/run.ts';
import type { Gate } from '../../src/domain/gates.ts';
import { gateState, runAtGate } from '../helpers/run-state.ts';

const NOW = new Date('2026-11-28T12:00:00Z');
const APPROVERS: ReadonlySet<string> = new Set(['UALICE', 'UBOB', 'UCAROL']);
const alice: Actor = { userId: 'UALICE', isApprover: true, currentApprovers: APPROVERS };
const bob: Actor = { userId: 'UBOB', isApprover: true, currentApprovers: APPROVERS };
const carol: Actor = { userId: 'UCAROL', isApprover: true, currentApprovers: APPROVERS };
const eve: Actor = { userId: 'UEVE', isApprover: false };

const CHECKS: Record<Gate, string[]> = {
  freeze: [],
  storage: ['postgres.reachable', 'redis.reachable'],
  services: ['services.ready'],
  evidence: ['audit.dlq'],
  safety: ['gateway.revocation'],
  resume: ['postgres.reachable', 'redis.reachable', 'services.ready', 'audit.dlq', 'gateway.revocation'],
};
const policy: GatePolicy = {
  freshnessMs: 5 * 60_000,
  approvalsRequired: { freeze: 1, storage: 1, services: 1, evidence: 1, safety: 1, resume: 2 },
  requiredChecks: (g) => CHECKS[g],
};

/** Gates done before the open one were confirmed by UALICE. */
const doneByAlice = (_: Gate, status: GateStatus) => ({ doneBy: status === 'confirmed' ? 'UALICE' : undefined });
const gate = (g: Gate, status: GateStatus): GateState => ({ ...gateState(g, status), ...doneByAlice(g, status) });
const runAt = (openGate: Gate): RunState => runAtGate(openGate, { run: { startedAt: NOW }, gate: doneByAlice });

const green = (g: Gate, at = NOW, startedAt = at) =>
  CHECKS[g].map((checkId) => ({ checkId, status: 'pass' as const, summary: 'ok', startedAt, finishedAt: at }));

function apply(run: RunState, g: Gate, cmd: Command, actor: Actor, now = NOW): RunState {
  const d = decide(run, g, cmd, actor, policy, now);
  if (!d.ok) throw new Error(`refused: ${d.reason}`);
  return d.run;
}

const sample: Record<CommandType, Command> = {
  claim: { type: 'claim' },
  handoff: { type: 'handoff', to: 'UDAN', note: 'Redis is back; watch the DLQ' },
  release: { type: 'release' },
  record_checks: { type: 'record_checks', results: [] },
  tick: { type: 'tick', item: 'rollouts', checked: true },
  confirm: { type: 'confirm' },
  request_override: { type: 'request_override', reason: 'checker broken', overrideId: 'o1' },
  approve_override: { type: 'approve_override', overrideId: 'o1' },
  reject_override: { type: 'reject_override', overrideId: 'o1' },
  acknowledge_finding: { type: 'acknowledge_finding', verificationEventId: 1, reason: 'row restored from backup' },
};

// The transition table as the product states it (product.md §4; issues 12 and 17), written out here as data rather
// than read from ALLOWED, so a change to the table that nobody meant fails this test. A locked gate can be claimed and
// its checks run ahead ("anyone can run checks"); a done gate only records checks (its results stay visible on the
// dashboard); everything else happens on the open gate. Each row: gate status; each column: a command.
const COMMANDS = [
  'claim',
  'handoff',
  'release',
  'record_checks',
  'tick',
  'confirm',
  'request_override',
  'approve_override',
  'reject_override',
  'acknowledge_finding',
] as const;
const Y = true;
const N = false;
const TABLE: Record<GateStatus, readonly boolean[]> = {
  //         claim handoff release record tick confirm req_ovr appr_ovr rej_ovr ack_finding
  locked: [Y, N, N, Y, N, N, N, N, N, N],
  open: [Y, Y, Y, Y, Y, Y, Y, Y, Y, Y],
  confirmed: [N, N, N, Y, N, N, N, N, N, N],
  overridden: [N, N, N, Y, N, N, N, N, N, N],
};
const allowedBySpec = (status: GateStatus, type: CommandType) => TABLE[status][COMMANDS.indexOf(type)];

describe('release (issue 17: a stale claim)', () => {
  it('lets the claimant or an approver let go of a claim, nobody else, and only a claimed gate', () => {
    const claimed = apply(runAt('storage'), 'storage', { type: 'claim' }, { userId: 'UDAN', isApprover: false });
    const bystander = decide(claimed, 'storage', { type: 'release' }, { userId: 'UMAL', isApprover: false }, policy, NOW);
    expect(bystander.ok).toBe(false);
    for (const actor of [
      { userId: 'UDAN', isApprover: false },
      { userId: 'UALICE', isApprover: true },
    ]) {
      const d = decide(claimed, 'storage', { type: 'release' }, actor, policy, NOW);
      expect(d.ok && d.run.gates.find((g) => g.gate === 'storage')!.claimedBy).toBeUndefined();
      expect(d.ok && d.events).toEqual([{ type: 'gate_released', gate: 'storage', actor: actor.userId, data: { previous: 'UDAN' } }]);
    }
    const again = decide(runAt('storage'), 'storage', { type: 'release' }, { userId: 'UALICE', isApprover: true }, policy, NOW);
    expect(!again.ok && again.kind).toBe('conflict');
  });
});

/**
 * A run in which every guard of `type` passes on `target` (claimed where a handoff or a release needs it, an override
 * pending where one is approved or rejected, green checks, a deep verification with findings), so that the only thing
 * that can refuse the command is the table.
 */
function fitFor(type: CommandType, status: GateStatus): { run: RunState; target: Gate } {
  // Only Freeze and Resume have checklists, and findings are acknowledged on Resume.
  const target: Gate = type === 'tick' || type === 'acknowledge_finding' ? 'resume' : 'services';
  const run = runAt('storage');
  const claimedBy = type === 'handoff' ? 'UALICE' : type === 'release' ? 'UDAN' : undefined;
  const override =
    type === 'approve_override' || type === 'reject_override' ? { id: 'o1', requestedBy: 'UCAROL', reason: 'r', at: NOW } : undefined;
  return {
    target,
    run: {
      ...run,
      gates: run.gates.map((g) => (g.gate === target ? { ...gate(target, status), claimedBy, override, checks: green(target) } : g)),
      verification: {
        eventId: 1,
        at: NOW,
        actor: 'UBOB',
        clean: false,
        hmacChecked: true,
        rowsChecked: 10,
        findings: [{ zoneId: 'z1', rowId: 'a1', chainSeq: '7', kinds: ['hash_mismatch'] }],
        acks: [],
      },
    },
  };
}

describe('the transition table', () => {
  it('is the specified one: every gate status × command cell, and nothing else', () => {
    expect(Object.keys(ALLOWED).sort()).toEqual(Object.keys(TABLE).sort());
    expect(Object.keys(sample).sort()).toEqual([...COMMANDS].sort());
    const disagreements = (Object.keys(TABLE) as GateStatus[]).flatMap((status) => {
      expect(TABLE[status], status).toHaveLength(COMMANDS.length);
      return COMMANDS.filter((c) => ALLOWED[status].includes(c) !== allowedBySpec(status, c)).map(
        (c) => `${status} × ${c}: specified ${allowedBySpec(status, c) ? 'allowed' : 'refused'}, ALLOWED says otherwise`,
      );
    });
    expect(disagreements).toEqual([]);
  });
  const statuses: GateStatus[] = ['locked', 'open', 'confirmed', 'overridden'];
  for (const status of statuses) {
    for (const type of COMMANDS) {
      const legal = allowedBySpec(status, type);
      it(`${status} gate ${legal ? 'accepts' : 'refuses'} ${type}`, () => {
        const { run, target } = fitFor(type, status);
        const d = decide(run, target, sample[type], alice, policy, NOW);
        if (legal) {
          expect(d.ok ? 'ok' : `${d.kind}: ${d.reason}`).toBe('ok');
        } else if (status === 'locked') {
          expect(d).toMatchObject({
            ok: false,
            kind: 'denied',
            reason: expect.stringContaining('is locked: confirm the gates before it first') as unknown,
          });
        } else {
          expect(d).toMatchObject({ ok: false, kind: 'conflict', reason: expect.stringContaining(`was already ${status}`) as unknown });
        }
      });
    }
  }
});

describe('guards', () => {
  it('walks a whole run in order, Resume needing two distinct approvers', () => {
    let run = runAt('freeze');
    for (const item of ['rollouts', 'policies', 'control'] as const) run = apply(run, 'freeze', { type: 'tick', item, checked: true }, eve);
    run = apply(run, 'freeze', { type: 'confirm' }, alice);
    for (const g of ['storage', 'services', 'evidence', 'safety'] as const) {
      run = apply(run, g, { type: 'record_checks', results: green(g) }, eve);
      run = apply(run, g, { type: 'confirm' }, alice);
    }
    run = apply(run, 'resume', { type: 'record_checks', results: green('resume') }, eve);
    for (const item of ['rollouts', 'policies', 'control'] as const) run = apply(run, 'resume', { type: 'tick', item, checked: true }, eve);
    run = apply(run, 'resume', { type: 'confirm' }, alice);
    expect(run.status).toBe('active');
    const again = decide(run, 'resume', { type: 'confirm' }, alice, policy, NOW);
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.reason).toContain('already approved');
    const d = decide(run, 'resume', { type: 'confirm' }, bob, policy, NOW);
    expect(d.ok).toBe(true);
    if (d.ok) {
      expect(d.run.status).toBe('resumed');
      expect(d.events.map((e) => e.type)).toEqual(['gate_confirmed', 'run_resumed']);
      expect(eventOf(d.events, 'gate_confirmed').data.approvers).toEqual(['UALICE', 'UBOB']);
    }
  });

  it('offers an override only where one exists: never at Resume', () => {
    const failing = (g: Gate) =>
      apply(runAt(g), g, { type: 'record_checks', results: green(g).map((c) => ({ ...c, status: 'fail' as const })) }, eve);
    const resume = decide(failing('resume'), 'resume', { type: 'confirm' }, alice, policy, NOW);
    expect(!resume.ok && resume.reason).toContain('Run checks and fix what fails.');
    expect(!resume.ok && resume.reason).not.toContain('override');
    const storage = decide(failing('storage'), 'storage', { type: 'confirm' }, alice, policy, NOW);
    expect(!storage.ok && storage.reason).toContain('or request an override');
  });

  it('fails closed: failing, stale or missing checks refuse Confirm', () => {
    const run = runAt('storage');
    const missing = decide(run, 'storage', { type: 'confirm' }, alice, policy, NOW);
    expect(!missing.ok && missing.reason).toContain('Restore Postgres and Redis cannot be confirmed');
    expect(!missing.ok && missing.reason).toMatch(/none of its \d+ check\(s\) has run yet/);
    expect(!missing.ok && missing.reason).not.toContain('postgres.reachable');
    const partly = apply(run, 'storage', { type: 'record_checks', results: green('storage').slice(1) }, eve);
    const p = decide(partly, 'storage', { type: 'confirm' }, alice, policy, NOW);
    expect(!p.ok && p.reason).toContain(`${green('storage')[0].checkId} has not run`);
    expect(!p.ok && p.reason).not.toContain(`${green('storage')[1].checkId}`);
    const failing = apply(
      run,
      'storage',
      { type: 'record_checks', results: [{ ...green('storage')[0], status: 'fail' }, green('storage')[1]] },
      eve,
    );
    const f = decide(failing, 'storage', { type: 'confirm' }, alice, policy, NOW);
    expect(!f.ok && f.reason).toContain('postgres.reachable is fail');
    const stale = apply(run, 'storage', { type: 'record_checks', results: green('storage', new Date(NOW.getTime() - 6 * 60_000)) }, eve);
    const s = decide(stale, 'storage', { type: 'confirm' }, alice, policy, NOW);
    expect(!s.ok && s.reason).toContain('stale');
    const errored = apply(
      run,
      'storage',
      { type: 'record_checks', results: green('storage').map((c) => ({ ...c, status: 'error' as const })) },
      eve,
    );
    expect(decide(errored, 'storage', { type: 'confirm' }, alice, policy, NOW).ok).toBe(false);
  });

  it('refuses out-of-order confirms, non-approvers, and an unticked Freeze', () => {
    const run = runAt('freeze');
    const early = decide(run, 'storage', { type: 'confirm' }, alice, policy, NOW);
    expect(early).toMatchObject({ ok: false, kind: 'denied' });
    const nonApprover = decide(
      apply(runAt('storage'), 'storage', { type: 'record_checks', results: green('storage') }, eve),
      'storage',
      { type: 'confirm' },
      eve,
      policy,
      NOW,
    );
    expect(nonApprover).toMatchObject({ ok: false, kind: 'denied' });
    expect(!nonApprover.ok && nonApprover.reason).toContain('approvers');
    const unticked = decide(run, 'freeze', { type: 'confirm' }, alice, policy, NOW);
    expect(!unticked.ok && unticked.reason).toContain('Tick every Freeze item');
  });

  it('override stays pending until a second approver who is not the requester approves', () => {
    let run = runAt('evidence');
    run = apply(run, 'evidence', { type: 'request_override', reason: 'DLQ entries are known integrity failures', overrideId: 'o9' }, alice);
    expect(run.gates.find((g) => g.gate === 'evidence')!.status).toBe('open');
    const self = decide(run, 'evidence', { type: 'approve_override', overrideId: 'o9' }, alice, policy, NOW);
    expect(self).toMatchObject({ ok: false, kind: 'denied' });
    expect(decide(run, 'evidence', { type: 'approve_override', overrideId: 'o9' }, eve, policy, NOW)).toMatchObject({
      ok: false,
      kind: 'denied',
    });
    expect(decide(run, 'evidence', { type: 'request_override', reason: 'x', overrideId: 'o10' }, carol, policy, NOW)).toMatchObject({
      ok: false,
      kind: 'conflict',
    });
    const d = decide(run, 'evidence', { type: 'approve_override', overrideId: 'o9' }, bob, policy, NOW);
    expect(d.ok).toBe(true);
    if (d.ok) {
      expect(d.run.gates.find((g) => g.gate === 'evidence')!.status).toBe('overridden');
      expect(d.run.gates.find((g) => g.gate === 'safety')!.status).toBe('open');
      expect(d.events[0]).toMatchObject({ type: 'override_approved', actor: 'UBOB', data: { requestedBy: 'UALICE' } });
    }
    expect(decide(run, 'evidence', { type: 'request_override', reason: '   ', overrideId: 'o2' }, bob, policy, NOW)).toMatchObject({
      ok: false,
    });
  });

  it('a rejected override clears, and a stale override id is a conflict', () => {
    let run = apply(runAt('safety'), 'safety', { type: 'request_override', reason: 'r', overrideId: 'o1' }, alice);
    run = apply(run, 'safety', { type: 'reject_override', overrideId: 'o1' }, bob);
    expect(run.gates.find((g) => g.gate === 'safety')!.override).toBeUndefined();
    expect(decide(run, 'safety', { type: 'approve_override', overrideId: 'o1' }, bob, policy, NOW)).toMatchObject({
      ok: false,
      kind: 'conflict',
    });
  });

  it('refuses to override Resume, and answers everything on an ended run as a conflict', () => {
    expect(decide(runAt('resume'), 'resume', { type: 'request_override', reason: 'r', overrideId: 'o' }, alice, policy, NOW)).toMatchObject(
      { ok: false, kind: 'denied' },
    );
    const ended: RunState = { ...runAt('resume'), status: 'resumed' };
    expect(decide(ended, 'resume', { type: 'claim' }, alice, policy, NOW)).toMatchObject({ ok: false, kind: 'conflict' });
  });

  it('claims: anyone may claim or take over; claiming twice is a conflict', () => {
    let run = apply(runAt('storage'), 'storage', { type: 'claim' }, eve);
    expect(decide(run, 'storage', { type: 'claim' }, eve, policy, NOW)).toMatchObject({ ok: false, kind: 'conflict' });
    const d = decide(run, 'storage', { type: 'claim' }, bob, policy, NOW);
    expect(d.ok && d.events[0].data).toEqual({ previous: 'UEVE' });
    run = apply(run, 'services', { type: 'claim' }, bob);
    expect(run.gates.find((g) => g.gate === 'services')!.claimedBy).toBe('UBOB');
  });
});

describe('results and votes follow time, not arrival (issue 18.4)', () => {
  const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);
  const storage = (status: 'pass' | 'fail', startedAt: Date, finishedAt: Date) =>
    CHECKS.storage.map((checkId) => ({ checkId, status, summary: status, startedAt, finishedAt }));
  const storageOf = (run: RunState) => run.gates.find((g) => g.gate === 'storage')!;

  it('a slow passing run that started before a newer failure does not overwrite it, and Confirm stays refused', () => {
    let run = runAt('storage');
    // The newer run (started 1 min in) fails first; the older one (started at 0) finishes green afterwards.
    run = apply(run, 'storage', { type: 'record_checks', results: storage('fail', minutes(1), minutes(1.1)) }, eve);
    const late = decide(
      run,
      'storage',
      { type: 'record_checks', results: storage('pass', minutes(0), minutes(2)) },
      eve,
      policy,
      minutes(2),
    );
    expect(late.ok).toBe(true);
    if (!late.ok) return;
    expect(storageOf(late.run).checks.map((c) => c.status)).toEqual(['fail', 'fail']);
    expect(eventOf(late.events, 'checks_recorded').data.ignoredAsOlder).toEqual(CHECKS.storage);
    expect(decide(late.run, 'storage', { type: 'confirm' }, alice, policy, minutes(2))).toMatchObject({ ok: false, kind: 'denied' });
    // A run that started later still replaces the failure.
    const newer = apply(
      late.run,
      'storage',
      { type: 'record_checks', results: storage('pass', minutes(3), minutes(3.1)) },
      eve,
      minutes(3.1),
    );
    expect(storageOf(newer).checks.map((c) => c.status)).toEqual(['pass', 'pass']);
  });

  it('keeps results of checks that a partial run did not include', () => {
    let run = apply(runAt('storage'), 'storage', { type: 'record_checks', results: storage('pass', NOW, NOW) }, eve);
    run = apply(run, 'storage', { type: 'record_checks', results: [storage('fail', minutes(1), minutes(1))[0]] }, eve);
    expect(storageOf(run).checks.map((c) => `${c.checkId}:${c.status}`)).toEqual(['postgres.reachable:fail', 'redis.reachable:pass']);
  });

  it('clears the confirm votes of a gate whose checks turn red, and says whose', () => {
    let run = apply(runAt('resume'), 'resume', { type: 'record_checks', results: green('resume') }, eve);
    run = apply(run, 'resume', { type: 'confirm' }, alice);
    expect(run.gates.find((g) => g.gate === 'resume')!.confirmVotes.map((v) => v.userId)).toEqual(['UALICE']);
    const red = decide(
      run,
      'resume',
      { type: 'record_checks', results: [{ ...green('resume', minutes(1))[0], status: 'fail' }] },
      eve,
      policy,
      minutes(1),
    );
    expect(red.ok).toBe(true);
    if (!red.ok) return;
    expect(red.run.gates.find((g) => g.gate === 'resume')!.confirmVotes).toEqual([]);
    expect(eventOf(red.events, 'checks_recorded').data.votesCleared).toEqual(['UALICE']);
    // Green again: Bob's vote alone does not complete Resume; Alice must vote again.
    const back = apply(red.run, 'resume', { type: 'record_checks', results: green('resume', minutes(2)) }, eve, minutes(2));
    const bobOnly = decide(back, 'resume', { type: 'confirm' }, bob, policy, minutes(2));
    expect(bobOnly.ok && bobOnly.run.status).toBe('active');
  });

  it('lets a vote expire with the freshness window', () => {
    let run = apply(runAt('resume'), 'resume', { type: 'record_checks', results: green('resume') }, eve);
    run = apply(run, 'resume', { type: 'confirm' }, alice);
    const later = minutes(6);
    run = apply(run, 'resume', { type: 'record_checks', results: green('resume', later) }, eve, later);
    const d = decide(run, 'resume', { type: 'confirm' }, bob, policy, later);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.run.status).toBe('active');
    expect(d.events[0]).toMatchObject({ type: 'confirm_vote', data: { votes: ['UBOB'], dropped: ['UALICE'] } });
    // Alice may vote again after her vote expired, and that completes Resume.
    const again = decide(d.run, 'resume', { type: 'confirm' }, alice, policy, later);
    expect(again.ok && again.run.status).toBe('resumed');
  });

  it('does not count the vote of someone who is no longer an approver', () => {
    let run = apply(runAt('resume'), 'resume', { type: 'record_checks', results: green('resume') }, eve);
    run = apply(run, 'resume', { type: 'confirm' }, alice);
    const bobAfterAliceRemoved: Actor = { ...bob, currentApprovers: new Set(['UBOB']) };
    const d = decide(run, 'resume', { type: 'confirm' }, bobAfterAliceRemoved, policy, NOW);
    expect(d.ok && d.run.status).toBe('active');
    expect(d.ok && eventOf(d.events, 'confirm_vote').data.dropped).toEqual(['UALICE']);
  });
});

describe('handoff (issue 17)', () => {
  it('passes the claim with a written note; only the claimant or an approver may; the note is required', () => {
    let run = apply(runAt('storage'), 'storage', { type: 'claim' }, eve);
    const byStranger = decide(
      run,
      'storage',
      { type: 'handoff', to: 'UDAN', note: 'x' },
      { userId: 'UMAL', isApprover: false },
      policy,
      NOW,
    );
    expect(byStranger).toMatchObject({ ok: false, kind: 'denied' });
    expect(decide(run, 'storage', { type: 'handoff', to: 'UDAN', note: '  ' }, eve, policy, NOW)).toMatchObject({
      ok: false,
      kind: 'denied',
    });
    expect(decide(run, 'storage', { type: 'handoff', to: 'UEVE', note: 'n' }, eve, policy, NOW)).toMatchObject({
      ok: false,
      kind: 'conflict',
    });
    const d = decide(run, 'storage', { type: 'handoff', to: 'UDAN', note: 'Postgres is back; Redis AOF still off' }, eve, policy, NOW);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.run.gates.find((g) => g.gate === 'storage')!.claimedBy).toBe('UDAN');
    expect(d.events[0]).toMatchObject({
      type: 'gate_handed_off',
      actor: 'UEVE',
      data: { from: 'UEVE', to: 'UDAN', note: 'Postgres is back; Redis AOF still off' },
    });
    run = d.run;
    // An approver reassigns a claim its holder left behind.
    expect(decide(run, 'storage', { type: 'handoff', to: 'UEVE', note: 'Dan went off shift' }, alice, policy, NOW).ok).toBe(true);
  });
});

describe('Resume undoes what Freeze recorded', () => {
  const items = ['rollouts', 'policies', 'control'] as const;
  const policy2: GatePolicy = { ...policy, approvalsRequired: { ...policy.approvalsRequired, resume: 1 } };
  function atResume(frozenBy: string): RunState {
    const run = runAt('resume');
    const checklist = Object.fromEntries(items.map((i) => [i, frozenBy]));
    return {
      ...run,
      gates: run.gates.map((g) =>
        g.gate === 'freeze' ? { ...g, checklist } : g.gate === 'resume' ? { ...g, checks: green('resume') } : g,
      ),
    };
  }

  it('refuses Resume until each frozen item is ticked, then records who unfroze each', () => {
    let run = atResume('UEVE');
    const early = decide(run, 'resume', { type: 'confirm' }, alice, policy2, NOW);
    expect(!early.ok && early.reason).toMatch(
      /unfreeze each item Freeze recorded first: Rollouts resumed.*Policy activations unfrozen.*Control automation restored/,
    );
    for (const item of items) {
      const d = decide(run, 'resume', { type: 'tick', item, checked: true }, { userId: 'UCAROL', isApprover: false }, policy2, NOW);
      expect(d.ok).toBe(true);
      if (d.ok) run = d.run;
    }
    const done = decide(run, 'resume', { type: 'confirm' }, { ...alice, currentApprovers: new Set(['UALICE']) }, policy2, NOW);
    expect(done.ok).toBe(true);
    const confirmed = done.ok ? done.events.find((e) => e.type === 'gate_confirmed') : undefined;
    expect(confirmed?.data.unfrozen).toEqual(items.map((item) => expect.objectContaining({ item, by: 'UCAROL' }) as unknown));
  });
});
