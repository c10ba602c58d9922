// Reminders and stale gates (issue 17). One sweep over the active runs: a claimed gate quiet for `claimIdleMs`
// reminds its claimant in the thread; quiet for another `releaseAfterMs`, the channel is offered to release the
// claim; a run quiet for `runIdleMs` asks the channel whether it is still active. Each reminder is an event, written
// once per quiet spell (the events' unique index backs the check), and what the scheduler writes is not activity.
import type { Gate } from '../domain/gates.ts';
import type { EventDraft } from '../domain/events.ts';
import { recordEvents } from '../recovery/service.ts';
import type { Db, Queryable } from '../store/db.ts';
import { advanceSchedule } from '../store/schedules.ts';
import type { Job } from './runner.ts';
import { SCHEDULER_ACTOR } from './watch.ts';

export type ReminderStage = 'claimant' | 'release' | 'run_idle';

export interface ReminderDeps {
  db: Db;
  claimIdleMs: number;
  releaseAfterMs: number;
  runIdleMs: number;
}

/** Events that are not someone working on the run: the scheduler's own, and alerts from Alertmanager. */
export const NOT_ACTIVITY = ['reminder', 'watch_changed', 'watch_ready', 'alert_firing', 'alert_resolved'];

type Quiet = { run_id: string; gate: Gate | null; claimed_by: string | null; gate_since: Date | null; run_since: Date };

/** Each active run's open gate, its claimant, and since when the gate and the run have been quiet. */
async function quietRuns(q: Queryable): Promise<Quiet[]> {
  return (
    await q.query<Quiet>(
      `SELECT r.id AS run_id, g.gate, g.claimed_by,
              GREATEST(g.claimed_at, (SELECT max(e.at) FROM events e WHERE e.run_id = r.id AND NOT (e.type = ANY($1::text[])) AND e.actor <> $2
                                        AND (e.gate = g.gate OR e.type = 'note'))) AS gate_since,
              GREATEST(r.started_at, (SELECT max(e.at) FROM events e WHERE e.run_id = r.id AND NOT (e.type = ANY($1::text[])) AND e.actor <> $2)) AS run_since
       FROM runs r LEFT JOIN gates g ON g.run_id = r.id AND g.status = 'open'
       WHERE r.status = 'active'`,
      [NOT_ACTIVITY, SCHEDULER_ACTOR],
    )
  ).rows;
}

async function alreadySent(q: Queryable, runId: string, stage: ReminderStage, since: string): Promise<boolean> {
  const res = await q.query(
    `SELECT 1 FROM events WHERE run_id = $1 AND type = 'reminder' AND data->>'stage' = $2 AND data->>'since' = $3`,
    [runId, stage, since],
  );
  return res.rowCount > 0;
}

/** The reminders due now for one run (pure: the sweep writes the ones not sent yet). */
export function dueReminders(
  r: Quiet,
  now: Date,
  deps: Pick<ReminderDeps, 'claimIdleMs' | 'releaseAfterMs' | 'runIdleMs'>,
): EventDraft<'reminder'>[] {
  const out: EventDraft<'reminder'>[] = [];
  const quietFor = (since: Date) => now.getTime() - new Date(since).getTime();
  if (r.gate && r.claimed_by && r.gate_since) {
    const quiet = quietFor(r.gate_since);
    const data = { since: new Date(r.gate_since).toISOString(), claimant: r.claimed_by, quietMs: quiet };
    if (quiet >= deps.claimIdleMs)
      out.push({ type: 'reminder', gate: r.gate, actor: SCHEDULER_ACTOR, data: { stage: 'claimant', ...data } });
    if (quiet >= deps.claimIdleMs + deps.releaseAfterMs)
      out.push({ type: 'reminder', gate: r.gate, actor: SCHEDULER_ACTOR, data: { stage: 'release', ...data } });
  }
  const runQuiet = quietFor(r.run_since);
  if (runQuiet >= deps.runIdleMs) {
    out.push({
      type: 'reminder',
      gate: undefined,
      actor: SCHEDULER_ACTOR,
      data: { stage: 'run_idle', since: new Date(r.run_since).toISOString(), quietMs: runQuiet },
    });
  }
  return out;
}

export function remindersJob(deps: ReminderDeps): Job {
  return async (schedule, ctx) => {
    const runs = await quietRuns(deps.db);
    await ctx.commit(async (tx) => {
      for (const r of runs) {
        const due: EventDraft[] = [];
        for (const e of dueReminders(r, ctx.now, deps)) {
          if (!(await alreadySent(tx, r.run_id, e.data.stage, e.data.since))) due.push(e);
        }
        if (due.length > 0) await recordEvents(tx, r.run_id, ctx.now, due, false);
      }
      await advanceSchedule(tx, 'reminders', schedule.key, new Date(ctx.now.getTime() + schedule.intervalMs), schedule.state);
    });
  };
}
