// After the soak: each run's event log replayed through the gate rules (nothing applied twice, every transition
// counted once in the run's version), and every event matched to exactly one click of the person who caused it.
import { GATES } from '../../src/domain/gates.ts';
import type { StoredEvent } from '../../src/domain/events.ts';
import type { Click, ClickKind } from './users.ts';

/** Events that change the run (and bump its version once per transaction); gate_opened/run_resumed ride along. */
const TRANSITIONS = new Set([
  'gate_claimed',
  'checks_recorded',
  'checklist_ticked',
  'confirm_vote',
  'gate_confirmed',
  'override_requested',
  'override_approved',
  'override_rejected',
]);

export function replayRun(runId: string, events: readonly StoredEvent[], dbVersion: number, dbGates: Map<string, string>): string[] {
  const problems: string[] = [];
  const fail = (e: StoredEvent, why: string) => problems.push(`run ${runId} event ${e.id} ${e.type}/${e.gate ?? '-'}: ${why}`);
  const status = new Map<string, string>(GATES.map((g, i) => [g, i === 0 ? 'open' : 'locked']));
  const pending = new Map<string, { id: string; by: string }>();
  const votes = new Map<string, Set<string>>();
  let expectNext: string | undefined;
  if (events[0]?.type !== 'run_started' || events.filter((e) => e.type === 'run_started').length !== 1)
    problems.push(`run ${runId}: does not start with exactly one run_started`);
  for (const e of events) {
    const g = e.gate ?? '';
    if (expectNext && `${e.type}:${g}` !== expectNext) fail(e, `expected ${expectNext} right after the gate was done`);
    if (!expectNext && e.type === 'gate_opened') fail(e, 'opened without a gate before it being done');
    expectNext = undefined;
    if (['gate_claimed', 'checklist_ticked', 'confirm_vote', 'override_requested', 'override_rejected'].includes(e.type)) {
      const allowed = e.type === 'gate_claimed' ? ['locked', 'open'] : ['open'];
      if (!allowed.includes(status.get(g) ?? '')) fail(e, `gate is ${status.get(g)}`);
    }
    if (e.type === 'confirm_vote') {
      const set = votes.get(g) ?? new Set<string>();
      if (set.has(e.actor)) fail(e, 'the same approver voted twice');
      votes.set(g, set.add(e.actor));
    }
    if (e.type === 'override_requested') {
      if (pending.has(g)) fail(e, 'an override was already pending');
      pending.set(g, { id: e.data.overrideId, by: e.actor });
    }
    if (e.type === 'override_rejected' || e.type === 'override_approved') {
      if (pending.get(g)?.id !== e.data.overrideId) fail(e, `override ${e.data.overrideId} was not the pending one`);
      if (e.type === 'override_approved' && pending.get(g)?.by === e.actor) fail(e, 'approved by its own requester');
      pending.delete(g);
    }
    if (e.type === 'gate_confirmed' || e.type === 'override_approved') {
      if (status.get(g) !== 'open') fail(e, `completed a gate that is ${status.get(g)} (applied twice?)`);
      status.set(g, e.type === 'gate_confirmed' ? 'confirmed' : 'overridden');
      const following = GATES[GATES.indexOf(g as (typeof GATES)[number]) + 1];
      expectNext = following ? `gate_opened:${following}` : `run_resumed:${g}`;
    }
    if (e.type === 'gate_opened') {
      if (status.get(g) !== 'locked') fail(e, `opened a gate that is ${status.get(g)}`);
      status.set(g, 'open');
    }
  }
  if (expectNext) problems.push(`run ${runId}: log ends before ${expectNext}`);
  const transitions = events.filter((e) => TRANSITIONS.has(e.type)).length;
  if (dbVersion !== 1 + transitions)
    problems.push(`run ${runId}: version ${dbVersion} but ${transitions} transitions logged (expected version ${1 + transitions})`);
  for (const [gate, s] of status)
    if (dbGates.get(gate) !== s) problems.push(`run ${runId}: gate ${gate} is ${dbGates.get(gate)} in the database, ${s} by its log`);
  return problems;
}

/** The event types one click may cause, in order (the empty list: refused with an answer, or a conflict). */
const SHAPES: Record<ClickKind, RegExp> = {
  // A start records the residue baseline in the same transaction (issue 12).
  recover: /^(run_started( baseline_recorded)?)?$/,
  note: /^(note)?$/,
  claim: /^(gate_claimed|denied)?$/,
  checks: /^(checks_recorded)?$/,
  confirm: /^(confirm_vote|gate_confirmed gate_opened|gate_confirmed run_resumed|denied)?$/,
  tick: /^(checklist_ticked ?){0,3}(denied)?$/,
  override: /^$/,
  submit: /^(override_requested|denied)?$/,
  approve: /^(override_approved gate_opened|denied)?$/,
  reject: /^(override_rejected|denied)?$/,
};

export interface ClickMatch {
  problems: string[];
  /**
   * Acked clicks that only write to the database and left no trace. They are saved before the ack, so none may be
   * lost, even by a replica SIGKILLed right after acking: each one is also a problem.
   */
  lostInCrash: Click[];
  /**
   * Run checks clicks acked by a replica SIGKILLed before it recorded their results: the checks call Caracal (seconds),
   * so they are acked first and a kill in that window loses them (the person sees no result and clicks again).
   */
  checksInterrupted: Click[];
}

/** Clicks that call something outside the database before their outcome: acked first (not saved before the ack). */
const ACK_FIRST: ReadonlySet<ClickKind> = new Set(['checks', 'override']);

/**
 * The events each keyed click caused, whenever they were recorded: the event carrying its request key (a checklist
 * item's key adds `:item`) and the events of the same decision after it (same run, actor and instant, no key).
 */
function eventsByRequestKey(clicks: readonly Click[], events: readonly StoredEvent[]): Map<number, Click> {
  const byKey = new Map(clicks.filter((c) => c.requestKey).map((c) => [c.requestKey!, c]));
  const clickOf = (key: string) => byKey.get(key) ?? byKey.get(key.slice(0, key.lastIndexOf(':')));
  const owner = new Map<number, Click>();
  const keyOf = (e: StoredEvent) => (typeof e.data.requestKey === 'string' ? e.data.requestKey : undefined);
  const byRun = new Map<string, StoredEvent[]>();
  for (const e of events) byRun.set(e.runId, [...(byRun.get(e.runId) ?? []), e]);
  for (const run of byRun.values()) {
    run.sort((a, b) => a.id - b.id);
    let click: Click | undefined;
    let decision: StoredEvent | undefined;
    for (const e of run) {
      const key = keyOf(e);
      if (key) [click, decision] = [clickOf(key), e];
      else if (!decision || e.actor !== decision.actor || e.at.getTime() !== decision.at.getTime()) click = undefined;
      if (click) owner.set(e.id, click);
    }
  }
  return owner;
}

export function matchClicks(
  clicks: readonly Click[],
  events: readonly StoredEvent[],
  killed: ReadonlySet<string>,
  responses: ReadonlyMap<string, string[]>,
): ClickMatch {
  const problems: string[] = [];
  const lostInCrash: Click[] = [];
  const checksInterrupted: Click[] = [];
  const byUser = new Map<string, Click[]>();
  for (const c of clicks) byUser.set(c.user, [...(byUser.get(c.user) ?? []), c]);
  const keyed = eventsByRequestKey(clicks, events);
  const owned = new Set<number>();
  for (const [user, list] of byUser) {
    list.sort((a, b) => a.sentAt - b.sentAt);
    const mine = events.filter((e) => e.actor === user);
    list.forEach((c, i) => {
      const end = list[i + 1]?.sentAt ?? Infinity;
      const inWindow = (e: StoredEvent) => e.at.getTime() >= c.sentAt && e.at.getTime() < end;
      const caused = mine.filter((e) => (keyed.has(e.id) ? keyed.get(e.id) === c : inWindow(e)));
      caused.forEach((e) => owned.add(e.id));
      const shape = caused.map((e) => e.type).join(' ');
      const where = `click ${c.key} (${c.kind}, ${c.result.attempts} attempt(s), acked by ${c.result.replica ?? 'nobody'})`;
      if (!SHAPES[c.kind].test(shape)) problems.push(`${where} caused [${shape}]`);
      if (c.runId && caused.some((e) => e.runId !== c.runId)) problems.push(`${where} changed another run`);
      if (
        (c.kind === 'note' || c.kind === 'submit') &&
        caused.length > 0 &&
        !caused.some(
          (e) =>
            (e.type === 'note' && e.data.text === c.text) ||
            (e.type === 'override_requested' && e.data.reason === c.text) ||
            e.type === 'denied',
        )
      ) {
        problems.push(`${where}: its event does not carry its text`);
      }
      if (c.kind === 'submit' && c.result.status === 200 && c.result.body.trim() === '' && shape !== 'override_requested')
        problems.push(`${where} was accepted but caused [${shape}]`);
      // An answer in the ack itself counts: a command's ephemeral text (a note refused by its limit), a modal's errors.
      const answered = responses.has(c.key) || c.result.body.trim() !== '' || (c.kind === 'override' && c.outcomeSeen);
      if (c.result.status === 200 && caused.length === 0 && !answered && c.kind !== 'tick') {
        if (c.result.replica && killed.has(c.result.replica) && ACK_FIRST.has(c.kind)) checksInterrupted.push(c);
        else {
          if (c.result.replica && killed.has(c.result.replica)) lostInCrash.push(c);
          problems.push(
            `${where} was acked but left no event and no answer${lostInCrash.includes(c) ? ' (lost in the crash although saved before the ack)' : ''}`,
          );
        }
      }
    });
  }
  for (const e of events)
    if (e.actor.startsWith('U0SOAK') && !owned.has(e.id)) problems.push(`event ${e.id} ${e.type} by ${e.actor} matches no click`);
  return { problems, lostInCrash, checksInterrupted };
}
