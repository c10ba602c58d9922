// Recording a check run on a gate: newer results replace older ones per check, and red evidence clears the
// Confirm votes that were given on green.
import type { EventData } from '../domain/events.ts';
import type { GateCheck, GateState, RunState } from '../domain/run.ts';
import { ok, withGate, type Actor, type Decision, type GatePolicy } from './gate-decision.ts';

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

export function recordChecks(run: RunState, g: GateState, results: readonly GateCheck[], actor: Actor, policy: GatePolicy): Decision {
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
