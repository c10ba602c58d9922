// What the gate machine decides with and answers: the actor, the gate policy, the decision, and the small pure
// helpers every command's guard shares (change one gate, close it and open the next).
import type { EventDraft } from '../domain/events.ts';
import { GATES, type Gate } from '../domain/gates.ts';
import type { GateState, RunState } from '../domain/run.ts';

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

export const ok = (run: RunState, events: EventDraft[]): Decision => ({ ok: true, run, events });
export const denied = (reason: string): Decision => ({ ok: false, kind: 'denied', reason });
export const conflict = (reason: string): Decision => ({ ok: false, kind: 'conflict', reason });

export function withGate(run: RunState, gate: Gate, change: Partial<GateState>): RunState {
  return { ...run, gates: run.gates.map((g) => (g.gate === gate ? { ...g, ...change } : g)) };
}

export function who(userId: string | undefined): string {
  return userId ? `<@${userId}>` : 'someone';
}

/** Close a gate and open the next one (or end the run after Resume). */
export function completeGate(
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
