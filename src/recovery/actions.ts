// The journal of remediation actions: `action_started` is committed before Caracal is called (who, what, target),
// `action_finished` after, with the scrubbed answer. A second click while one runs is refused; after a crash
// the log shows the action started with no outcome, and the dashboard says so.
import { ACTION_RESULTS, type ActionResult, type EventData } from '../domain/events.ts';
import type { Gate } from '../domain/gates.ts';
import type { Db, Queryable } from '../store/db.ts';
import { lockRunLog } from '../store/events.ts';
import { eventWithKey, finishedOf } from '../store/request-keys.ts';
import { recordEvents } from './service.ts';

export interface LastAction {
  title: string;
  actor: string;
  at: Date;
  /** `running`: started, no outcome yet; `unknown`: started long ago with no outcome (the bot stopped mid-call). */
  state: ActionResult | 'running' | 'unknown';
  summary: string;
}

export interface ActionJournalDeps {
  db: Db;
  now: () => Date;
  /** How long a started action without an outcome blocks a second one (the action's own time limit). */
  runningWindowMs: number;
  onQueued?: () => void;
}

type Running = { id: string; actor: string; at: Date };

async function running(q: Queryable, runId: string, action: string, since: Date): Promise<Running | undefined> {
  return (
    await q.query<Running>(
      `SELECT s.id, s.actor, s.at FROM events s
       WHERE s.run_id = $1 AND s.type = 'action_started' AND s.data->>'action' = $2 AND s.at > $3
         AND NOT EXISTS (SELECT 1 FROM events f WHERE f.run_id = $1 AND f.type = 'action_finished' AND f.data->>'startedEventId' = s.id::text)
       ORDER BY s.id DESC LIMIT 1`,
      [runId, action, since],
    )
  ).rows[0];
}

/** A repeat of a request already made (same idempotency key): its first outcome, or that it is still running. */
export interface Repeat {
  actor: string;
  finished?: { result: ActionResult; summary: string; lines: string[] };
}

function repeatOf(actor: string, fin: EventData<'action_finished'> | undefined): Repeat {
  return fin ? { actor, finished: { result: fin.result, summary: fin.summary, lines: fin.lines } } : { actor };
}

export function createActionJournal(deps: ActionJournalDeps) {
  const { db } = deps;
  return {
    /** Record the start, or refuse when the same action is already running on this run (any replica). */
    async start(
      runId: string,
      gate: Gate,
      actor: string,
      info: { action: string; title: string; target: string },
      requestKey?: string,
    ): Promise<{ ok: true; startedId: number } | { ok: false; reason: string; repeat?: Repeat }> {
      const now = deps.now();
      const outcome = await db.transaction(async (tx) => {
        await lockRunLog(tx, runId); // serialises two clicks on two replicas
        // The same request again (replayed, or a second click on the same card): never a second call.
        const first = requestKey ? await eventWithKey(tx, runId, requestKey) : undefined;
        if (first) return { ok: false as const, repeat: repeatOf(first.actor, await finishedOf(tx, runId, first.id)) };
        const busy = await running(tx, runId, info.action, new Date(now.getTime() - deps.runningWindowMs));
        if (busy) return { ok: false as const, busy };
        await recordEvents(
          tx,
          runId,
          now,
          [{ type: 'action_started', gate, actor, data: { ...info, ...(requestKey ? { requestKey } : {}) } }],
          true,
        );
        const [row] = (
          await tx.query<{ id: string }>(`SELECT max(id) AS id FROM events WHERE run_id = $1 AND type = 'action_started'`, [runId])
        ).rows;
        return { ok: true as const, startedId: Number(row.id) };
      });
      if (!outcome.ok && outcome.repeat) {
        const state = outcome.repeat.finished ? 'has already run' : 'is still running';
        return {
          ok: false,
          repeat: outcome.repeat,
          reason: `This request was already made: *${info.title}* ${state} (started by <@${outcome.repeat.actor}>). Not running it twice.`,
        };
      }
      if (!outcome.ok) {
        const at = new Date(outcome.busy.at).toISOString().slice(11, 19);
        return {
          ok: false,
          reason: `<@${outcome.busy.actor}> started *${info.title}* at ${at} UTC and it has not finished: not running it twice. Its outcome will appear in the thread and on the dashboard.`,
        };
      }
      deps.onQueued?.();
      return outcome;
    },
    /** Record a person's manual step once per request key (a replayed "Done by me" is not logged twice). */
    async recordOnce(runId: string, gate: Gate, actor: string, data: EventData<'action_run'>, requestKey: string): Promise<boolean> {
      const recorded = await db.transaction(async (tx) => {
        await lockRunLog(tx, runId);
        if (await eventWithKey(tx, runId, requestKey)) return false;
        await recordEvents(tx, runId, deps.now(), [{ type: 'action_run', gate, actor, data: { ...data, requestKey } }], false);
        return true;
      });
      if (recorded) deps.onQueued?.();
      return recorded;
    },
    async finish(
      runId: string,
      gate: Gate,
      actor: string,
      startedId: number,
      data: Omit<EventData<'action_finished'>, 'startedEventId'>,
    ): Promise<void> {
      await db.transaction((tx) =>
        recordEvents(
          tx,
          runId,
          deps.now(),
          [{ type: 'action_finished', gate, actor, data: { ...data, startedEventId: String(startedId) } }],
          true,
        ),
      );
      deps.onQueued?.();
    },
  };
}

export type ActionJournal = ReturnType<typeof createActionJournal>;

/** The last action on each gate of a run and its result, for the dashboard. */
export async function lastActions(q: Queryable, runId: string, now: Date, runningWindowMs: number): Promise<Map<Gate, LastAction>> {
  const rows = (
    await q.query<{ gate: Gate; actor: string; at: Date; title: string; fin_result: string | null; fin_summary: string | null }>(
      `SELECT DISTINCT ON (s.gate) s.gate, s.actor, s.at, s.data->>'title' AS title, f.data->>'result' AS fin_result, f.data->>'summary' AS fin_summary
       FROM events s LEFT JOIN events f ON f.run_id = s.run_id AND f.type = 'action_finished' AND f.data->>'startedEventId' = s.id::text
       WHERE s.run_id = $1 AND s.type = 'action_started' ORDER BY s.gate, s.id DESC`,
      [runId],
    )
  ).rows;
  const out = new Map<Gate, LastAction>();
  for (const r of rows) {
    const at = new Date(r.at);
    const finished = ACTION_RESULTS.find((result) => result === r.fin_result);
    const state: LastAction['state'] = finished ?? (now.getTime() - at.getTime() > runningWindowMs ? 'unknown' : 'running');
    out.set(r.gate, { title: r.title, actor: r.actor, at, state, summary: r.fin_summary ?? '' });
  }
  return out;
}
