// The gate state machine: an explicit table of which command each gate state accepts, and pure guards.
// decide() never does I/O; the caller persists the new state and its events in one transaction. The longer guards
// live next to it: gate-confirm.ts (Confirm), check-results.ts (Run checks), verification-findings.ts.
import { CHECKLISTS, GATE_TITLES, type FreezeItem, type Gate } from '../domain/gates.ts';
import { gateOf, type GateCheck, type GateStatus, type RunState } from '../domain/run.ts';
import { recordChecks } from './check-results.ts';
import { confirm } from './gate-confirm.ts';
import { completeGate, conflict, denied, ok, who, withGate, type Actor, type Decision, type GatePolicy } from './gate-decision.ts';
import { acknowledgeFinding } from './verification-findings.ts';

export type { Actor, Decision, GatePolicy } from './gate-decision.ts';
export { checksBlockingConfirm } from './gate-confirm.ts';
export { unacknowledgedFindings } from './verification-findings.ts';

export type Command =
  | { type: 'claim' }
  | { type: 'handoff'; to: string; note: string }
  /** Let go of a claim (the stale-gate reminder offers it): the gate is open to anyone's claim again. */
  | { type: 'release' }
  | { type: 'record_checks'; results: GateCheck[] }
  | { type: 'tick'; item: FreezeItem; checked: boolean }
  /** Resume: `firingCritical` (filled by the service) must all be in `acknowledgedAlerts`, for each approver. */
  | { type: 'confirm'; firingCritical?: readonly string[]; acknowledgedAlerts?: readonly string[] }
  | { type: 'request_override'; reason: string; overrideId: string }
  /** Resume: an approver acknowledges the findings of the run's deep verification `verificationEventId`, with a reason. */
  | { type: 'acknowledge_finding'; verificationEventId: number; reason: string }
  | { type: 'approve_override'; overrideId: string }
  | { type: 'reject_override'; overrideId: string };
export type CommandType = Command['type'];

/** Which commands each gate state accepts. Anything else is refused before any guard runs. */
export const ALLOWED: Record<GateStatus, readonly CommandType[]> = {
  locked: ['claim', 'record_checks'],
  open: [
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
  ],
  confirmed: ['record_checks'],
  overridden: ['record_checks'],
};

/** Commands only approvers may give: the only ones for which approver membership is looked up. */
export const APPROVER_COMMANDS: readonly CommandType[] = [
  'confirm',
  'request_override',
  'approve_override',
  'reject_override',
  'acknowledge_finding',
];

export function decide(run: RunState, gate: Gate, command: Command, actor: Actor, policy: GatePolicy, now: Date): Decision {
  if (run.status !== 'active') return conflict(`This run has already ended (${run.status}).`);
  const g = gateOf(run, gate);
  if (!ALLOWED[g.status].includes(command.type)) {
    if (g.status === 'confirmed' || g.status === 'overridden')
      return conflict(`${GATE_TITLES[gate]} was already ${g.status} by ${who(g.doneBy)}.`);
    return denied(`${GATE_TITLES[gate]} is locked: confirm the gates before it first, in order.`);
  }
  if (APPROVER_COMMANDS.includes(command.type) && !actor.isApprover) {
    return denied('Only configured approvers can confirm, override or approve. Anyone can run checks, claim and add notes.');
  }
  switch (command.type) {
    case 'claim':
      if (g.claimedBy === actor.userId) return conflict('You already claimed this gate.');
      return ok(withGate(run, gate, { claimedBy: actor.userId }), [
        { type: 'gate_claimed', gate, actor: actor.userId, data: g.claimedBy ? { previous: g.claimedBy } : {} },
      ]);
    case 'handoff': {
      // The claimant passes the gate on with a written note; an approver may reassign a claim left behind.
      if (g.claimedBy !== actor.userId && !actor.isApprover) {
        return denied(
          `Only ${g.claimedBy ? who(g.claimedBy) : 'whoever claims this gate'} or an approver can hand it off. Claim it first.`,
        );
      }
      if (command.to === g.claimedBy) return conflict(`${who(command.to)} already holds ${GATE_TITLES[gate]}.`);
      const note = command.note.trim();
      if (note.length === 0) return denied('A handoff needs a written note: what is done, what is next, what to watch.');
      return ok(withGate(run, gate, { claimedBy: command.to }), [
        { type: 'gate_handed_off', gate, actor: actor.userId, data: { from: g.claimedBy ?? null, to: command.to, note } },
      ]);
    }
    case 'release':
      if (!g.claimedBy) return conflict(`${GATE_TITLES[gate]} is not claimed.`);
      if (g.claimedBy !== actor.userId && !actor.isApprover)
        return denied(`Only ${who(g.claimedBy)} or an approver can release this claim.`);
      return ok(withGate(run, gate, { claimedBy: undefined }), [
        { type: 'gate_released', gate, actor: actor.userId, data: { previous: g.claimedBy } },
      ]);
    case 'record_checks':
      return recordChecks(run, g, command.results, actor, policy);
    case 'tick': {
      if (!CHECKLISTS[gate]) return denied('Only the Freeze and Resume gates have a checklist.');
      const checklist = { ...g.checklist };
      if (command.checked) checklist[command.item] = actor.userId;
      else delete checklist[command.item];
      return ok(withGate(run, gate, { checklist }), [
        { type: 'checklist_ticked', gate, actor: actor.userId, data: { item: command.item, checked: command.checked } },
      ]);
    }
    case 'confirm':
      return confirm(run, g, actor, policy, now, command);
    case 'acknowledge_finding':
      return acknowledgeFinding(run, gate, actor, command, now);
    case 'request_override': {
      if (gate === 'resume') return denied('Resume cannot be overridden: it needs a fresh all-green run and its approvers.');
      if (g.override) return conflict(`An override is already pending, requested by ${who(g.override.requestedBy)}.`);
      const reason = command.reason.trim();
      if (reason.length === 0) return denied('An override needs a written reason.');
      const override = { id: command.overrideId, requestedBy: actor.userId, reason, at: now };
      return ok(withGate(run, gate, { override }), [
        { type: 'override_requested', gate, actor: actor.userId, data: { overrideId: override.id, reason } },
      ]);
    }
    case 'approve_override':
    case 'reject_override': {
      if (!g.override || g.override.id !== command.overrideId) return conflict('This override is no longer pending.');
      if (command.type === 'reject_override') {
        return ok(withGate(run, gate, { override: undefined }), [
          {
            type: 'override_rejected',
            gate,
            actor: actor.userId,
            data: { overrideId: g.override.id, requestedBy: g.override.requestedBy },
          },
        ]);
      }
      if (g.override.requestedBy === actor.userId) return denied('You cannot approve your own override: a second approver must.');
      return completeGate(run, g, actor.userId, now, {
        type: 'override_approved',
        gate,
        actor: actor.userId,
        data: { overrideId: g.override.id, requestedBy: g.override.requestedBy, reason: g.override.reason },
      });
    }
  }
}
