// The gate state machine: an explicit table of which command each gate state accepts, and pure guards.
// decide() never does I/O; the caller persists the new state and its events in one transaction.
import type { EventData, EventDraft } from '../domain/events.ts';
import type { Gate } from '../domain/gates.ts';
import {
  FINDING_ACKS_REQUIRED,
  findingAckers,
  gateOf,
  type ConfirmVote,
  type GateCheck,
  type GateState,
  type GateStatus,
  type RunState,
  type RunVerification,
} from '../domain/run.ts';
import { CHECKLIST_ITEMS, CHECKLISTS, UNFREEZE_CHECKLIST, FREEZE_CHECKLIST, GATES, GATE_TITLES, type FreezeItem } from '../domain/gates.ts';

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

export interface Actor {
  userId: string;
  isApprover: boolean;
  /**
   * Which of the gate's earlier voters are approvers now (looked up by the caller when a Confirm may complete a
   * gate). A voter missing from it no longer counts: approvers removed from the config lose their votes.
   */
  currentApprovers?: ReadonlySet<string>;
}

export interface GatePolicy {
  /** A check result older than this does not count for Confirm. */
  freshnessMs: number;
  approvalsRequired: Record<Gate, number>;
  /** The check ids that must all pass for Confirm on this gate (Freeze: none, it is a checklist). */
  requiredChecks(gate: Gate): readonly string[];
}

/**
 * `conflict`: someone else already did it (double click, second replica): answer ephemerally, log nothing.
 * `denied`: a rule refused it: answer ephemerally and log the denial as an event.
 */
export type Decision = { ok: true; run: RunState; events: EventDraft[] } | { ok: false; kind: 'conflict' | 'denied'; reason: string };

const ok = (run: RunState, events: EventDraft[]): Decision => ({ ok: true, run, events });
const denied = (reason: string): Decision => ({ ok: false, kind: 'denied', reason });
const conflict = (reason: string): Decision => ({ ok: false, kind: 'conflict', reason });

function withGate(run: RunState, gate: Gate, change: Partial<GateState>): RunState {
  return { ...run, gates: run.gates.map((g) => (g.gate === gate ? { ...g, ...change } : g)) };
}

function who(userId: string | undefined): string {
  return userId ? `<@${userId}>` : 'someone';
}

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

/** Close a gate and open the next one (or end the run after Resume). */
function complete(
  run: RunState,
  g: GateState,
  actor: string,
  now: Date,
  done: EventDraft<'gate_confirmed'> | EventDraft<'override_approved'>,
): Decision {
  const status = done.type === 'gate_confirmed' ? 'confirmed' : 'overridden';
  let next = withGate(run, g.gate, { status, doneBy: actor, doneAt: now, override: undefined });
  const events: EventDraft[] = [done];
  const following = GATES[GATES.indexOf(g.gate) + 1];
  if (following) {
    next = withGate(next, following, { status: 'open', openedAt: now });
    events.push({ type: 'gate_opened', gate: following, actor, data: {} });
  } else {
    next = { ...next, status: 'resumed', endedAt: now };
    events.push({ type: 'run_resumed', gate: g.gate, actor, data: {} });
  }
  return ok(next, events);
}

/**
 * Merge a check run into the gate's results: per check, the result whose run started later stands, so a slow passing
 * run that started before a newer failure cannot overwrite it. Returns the ids that were ignored as older.
 */
export function mergeCheckResults(current: readonly GateCheck[], incoming: readonly GateCheck[]): { checks: GateCheck[]; older: string[] } {
  const byId = new Map(current.map((c) => [c.checkId, c]));
  const older: string[] = [];
  for (const r of incoming) {
    const existing = byId.get(r.checkId);
    if (existing && existing.startedAt.getTime() > r.startedAt.getTime()) older.push(r.checkId);
    else byId.set(r.checkId, r);
  }
  return { checks: [...byId.values()].sort((a, b) => a.checkId.localeCompare(b.checkId)), older };
}

function recordChecks(run: RunState, g: GateState, results: readonly GateCheck[], actor: Actor, policy: GatePolicy): Decision {
  const { checks, older } = mergeCheckResults(g.checks, results);
  const required = new Set(policy.requiredChecks(g.gate));
  const red = checks.some((c) => required.has(c.checkId) && c.status !== 'pass');
  // A vote was given on green evidence; once that evidence turns red it no longer stands.
  const votesCleared = red ? g.confirmVotes.map((v) => v.userId) : [];
  const failing = results.filter((r) => r.status !== 'pass').map((r) => `${r.checkId} (${r.status})`);
  const data: EventData<'checks_recorded'> = {
    total: results.length,
    failing,
    ...(older.length > 0 ? { ignoredAsOlder: older } : {}),
    ...(votesCleared.length > 0 ? { votesCleared } : {}),
  };
  return ok(withGate(run, g.gate, { checks, ...(votesCleared.length > 0 ? { confirmVotes: [] } : {}) }), [
    { type: 'checks_recorded', gate: g.gate, actor: actor.userId, data },
  ]);
}

function confirm(
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
  return complete(withGate(run, g.gate, { confirmVotes: votes }), g, actor.userId, now, {
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

function findingText(v: RunVerification): string {
  const first = v.findings[0];
  const where = first
    ? `zone ${first.zoneId}, row id=${first.rowId} (chain_seq ${first.chainSeq}), ${first.kinds.join(' + ')}`
    : 'no row named';
  return `${v.findings.length} broken zone(s), first ${where}`;
}

/** Why Resume must wait for acknowledgements of the deep verification's findings, or undefined. */
export function unacknowledgedFindings(run: RunState): string | undefined {
  const v = run.verification;
  if (!v || v.clean) return undefined;
  const ackers = findingAckers(v);
  if (ackers.length >= FINDING_ACKS_REQUIRED) return undefined;
  return (
    `The deep audit-chain verification at ${v.at.toISOString().slice(11, 16)} UTC found ${findingText(v)}. ` +
    `Resume needs ${FINDING_ACKS_REQUIRED} approvers to acknowledge it with a written reason ("Acknowledge finding…" on the dashboard); ` +
    `${ackers.length} of ${FINDING_ACKS_REQUIRED} so far.`
  );
}

function acknowledgeFinding(
  run: RunState,
  gate: Gate,
  actor: Actor,
  command: Extract<Command, { type: 'acknowledge_finding' }>,
  now: Date,
): Decision {
  if (gate !== 'resume') return denied('Deep verification findings are acknowledged on the Resume gate.');
  const v = run.verification;
  if (!v || v.clean || v.eventId !== command.verificationEventId)
    return conflict('That verification is no longer the latest one with findings: look at the dashboard again.');
  const reason = command.reason.trim();
  if (reason.length === 0) return denied('An acknowledgement needs a written reason.');
  if (findingAckers(v).includes(actor.userId)) return denied('You already acknowledged this finding; it needs another approver.');
  const acks = [...v.acks, { userId: actor.userId, reason, at: now }];
  return ok({ ...run, verification: { ...v, acks } }, [
    {
      type: 'finding_acknowledged',
      gate,
      actor: actor.userId,
      data: {
        verificationEventId: String(v.eventId),
        finding: findingText(v),
        reason,
        acks: findingAckers({ ...v, acks }).length,
        required: FINDING_ACKS_REQUIRED,
      },
    },
  ]);
}

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
      return complete(run, g, actor.userId, now, {
        type: 'override_approved',
        gate,
        actor: actor.userId,
        data: { overrideId: g.override.id, requestedBy: g.override.requestedBy, reason: g.override.reason },
      });
    }
  }
}
