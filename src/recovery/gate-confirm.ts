// Confirm: the guards that must all hold before a gate counts a vote (checklist ticked, checks green and fresh,
// Resume's unfreezing, alerts and findings acknowledged), then the vote, and the gate closed once enough stand.
import { CHECKLIST_ITEMS, CHECKLISTS, FREEZE_CHECKLIST, GATE_TITLES, UNFREEZE_CHECKLIST, type FreezeItem } from '../domain/gates.ts';
import { gateOf, type ConfirmVote, type GateState, type RunState } from '../domain/run.ts';
import { completeGate, denied, ok, withGate, type Actor, type Decision, type GatePolicy } from './gate-decision.ts';
import type { Command } from './machine.ts';
import { unacknowledgedFindings } from './verification-findings.ts';

/**
 * Why the gate's checks do not allow Confirm, or undefined when every required check passed recently. Names only
 * what blocks: a gate whose checks never ran says so once instead of listing every check.
 */
export function checksBlockingConfirm(g: GateState, policy: GatePolicy, now: Date): string | undefined {
  const required = policy.requiredChecks(g.gate);
  const notRun = required.filter((id) => !g.checks.some((x) => x.checkId === id));
  if (required.length > 0 && notRun.length === required.length) {
    return `none of its ${required.length} check(s) has run yet (press Run checks)`;
  }
  const problems: string[] = [];
  for (const id of required) {
    const c = g.checks.find((x) => x.checkId === id);
    if (!c) continue;
    if (c.status !== 'pass') problems.push(`${id} is ${c.status}`);
    else if (now.getTime() - c.finishedAt.getTime() > policy.freshnessMs)
      problems.push(`${id} is stale (older than ${Math.round(policy.freshnessMs / 60000)} min)`);
  }
  if (notRun.length > 0) problems.push(`${notRun.join(', ')} ${notRun.length === 1 ? 'has' : 'have'} not run`);
  return problems.length > 0 ? problems.join('; ') : undefined;
}

export function confirm(
  run: RunState,
  g: GateState,
  actor: Actor,
  policy: GatePolicy,
  now: Date,
  command: Extract<Command, { type: 'confirm' }>,
): Decision {
  if (g.gate === 'freeze') {
    const missing = (Object.keys(FREEZE_CHECKLIST) as FreezeItem[]).filter((item) => !g.checklist[item]);
    if (missing.length > 0) return denied(`Tick every Freeze item first: ${missing.map((m) => FREEZE_CHECKLIST[m]).join('; ')}.`);
  } else {
    const blocking = checksBlockingConfirm(g, policy, now);
    const overridable = g.gate !== 'resume' ? ', or request an override' : '';
    if (blocking) return denied(`${GATE_TITLES[g.gate]} cannot be confirmed: ${blocking}. Run checks and fix what fails${overridable}.`);
    if (g.gate === 'resume') {
      const frozen = gateOf(run, 'freeze').checklist;
      const open = CHECKLIST_ITEMS.filter((item) => frozen[item] !== undefined && !g.checklist[item]);
      if (open.length > 0)
        return denied(
          `Resume cannot be confirmed: unfreeze each item Freeze recorded first: ${open.map((m) => UNFREEZE_CHECKLIST[m]).join('; ')}.`,
        );
    }
  }
  // Votes expire with the freshness window, and count only while their voter is still an approver.
  const standing = (v: ConfirmVote) =>
    now.getTime() - v.at.getTime() <= policy.freshnessMs && (actor.currentApprovers?.has(v.userId) ?? false);
  if (g.confirmVotes.some((v) => v.userId === actor.userId && standing(v))) {
    return denied(`You already approved ${g.gate}; it needs another approver.`);
  }
  const acknowledged = command.acknowledgedAlerts ?? [];
  const unacknowledged = g.gate === 'resume' ? (command.firingCritical ?? []).filter((a) => !acknowledged.includes(a)) : [];
  if (unacknowledged.length > 0) {
    return denied(
      `Critical Caracal alerts are still firing: ${unacknowledged.join(', ')}. Each Resume approver must acknowledge them: use "Acknowledge alerts and confirm Resume" on the dashboard.`,
    );
  }
  const findings = g.gate === 'resume' ? unacknowledgedFindings(run) : undefined;
  if (findings) return denied(findings);
  const ack = g.gate === 'resume' && acknowledged.length > 0 ? { acknowledgedAlerts: [...acknowledged] } : {};
  const kept = g.confirmVotes.filter((v) => v.userId !== actor.userId && standing(v));
  const dropped = g.confirmVotes.filter((v) => v.userId !== actor.userId && !standing(v)).map((v) => v.userId);
  const votes = [...kept, { userId: actor.userId, at: now }];
  const voters = votes.map((v) => v.userId);
  const required = policy.approvalsRequired[g.gate];
  const evidence = g.checks.map((c) => ({ id: c.checkId, status: c.status, finishedAt: c.finishedAt.toISOString() }));
  // What Freeze froze and what Resume restored, with who ticked each: the record the next incident reads.
  const items = g.gate === 'freeze' ? { frozen: checklistRecord(g) } : g.gate === 'resume' ? { unfrozen: checklistRecord(g) } : {};
  if (votes.length < required) {
    return ok(withGate(run, g.gate, { confirmVotes: votes }), [
      {
        type: 'confirm_vote',
        gate: g.gate,
        actor: actor.userId,
        data: { votes: voters, required, ...(dropped.length ? { dropped } : {}), ...ack },
      },
    ]);
  }
  return completeGate(withGate(run, g.gate, { confirmVotes: votes }), g, actor.userId, now, {
    type: 'gate_confirmed',
    gate: g.gate,
    actor: actor.userId,
    data: { approvers: voters, checks: evidence, ...ack, ...items },
  });
}

function checklistRecord(g: GateState): { item: FreezeItem; label: string; by: string }[] {
  const labels: Partial<Record<FreezeItem, string>> = CHECKLISTS[g.gate] ?? {};
  return CHECKLIST_ITEMS.flatMap((item) => {
    const by = g.checklist[item];
    return by === undefined ? [] : [{ item, label: labels[item] ?? item, by }];
  });
}
