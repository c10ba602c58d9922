// The state of a run in a few lines, for whoever joins the channel mid-incident: where it stands, what was done,
// what blocks the open gate and why, who holds what, and the next step. Pure: built from the run alone.
import { checksBlockingConfirm, type GatePolicy } from './machine.ts';
import { currentGate, isDone, type RunState } from '../domain/run.ts';
import { GATES, GATE_TITLES } from '../domain/gates.ts';

export interface RunBrief {
  title: string;
  /** The Caracal deployment the run recovers. */
  environment: string | undefined;
  kind: RunState['kind'];
  status: RunState['status'];
  startedAt: Date;
  /** The open gate, its position and who holds it. */
  open: { gate: RunState['gates'][number]['gate']; position: number; claimedBy: string | undefined } | undefined;
  done: { gate: RunState['gates'][number]['gate']; how: 'confirmed' | 'overridden'; by: string | undefined; at: Date | undefined }[];
  /** Why the open gate cannot be confirmed yet (failing, stale or missing checks, approvals still needed). */
  blockers: string[];
  next: string;
}

export function briefOf(run: RunState, policy: GatePolicy, now: Date): RunBrief {
  const open = currentGate(run);
  const done = run.gates
    .filter(isDone)
    .map((g) => ({ gate: g.gate, how: g.status as 'confirmed' | 'overridden', by: g.doneBy, at: g.doneAt }));
  const blockers: string[] = [];
  let next: string;
  if (run.status !== 'active') {
    next =
      run.status === 'resumed' ? 'Nothing: traffic was resumed. Export the timeline for the review.' : 'Nothing: the run was cancelled.';
  } else if (!open) {
    next = 'No gate is open.';
  } else if (open.gate === 'freeze') {
    const unticked = run.gates[0].checklist;
    const missing = ['rollouts', 'policies', 'control'].filter((item) => !(item in unticked));
    if (missing.length > 0) blockers.push(`Freeze checklist items not ticked: ${missing.join(', ')}`);
    next = missing.length > 0 ? 'Tick the Freeze checklist, then an approver confirms Freeze.' : 'An approver confirms Freeze.';
  } else {
    const blocking = checksBlockingConfirm(open, policy, now);
    if (blocking) blockers.push(...blocking.split('; '));
    const required = policy.approvalsRequired[open.gate];
    const votes = open.confirmVotes.length;
    if (!blocking && votes < required) blockers.push(`${required - votes} more approval(s) needed (${votes} of ${required})`);
    if (open.override) blockers.push('an override is waiting for a second approver');
    next = blocking
      ? `Fix what fails on ${GATE_TITLES[open.gate]}, then press "Run checks" on the dashboard.`
      : `An approver confirms ${GATE_TITLES[open.gate]}${required > 1 ? ` (${required} distinct approvers)` : ''}.`;
  }
  return {
    title: run.title,
    environment: run.environment,
    kind: run.kind,
    status: run.status,
    startedAt: run.startedAt,
    open: open ? { gate: open.gate, position: GATES.indexOf(open.gate) + 1, claimedBy: open.claimedBy } : undefined,
    done,
    blockers,
    next,
  };
}
