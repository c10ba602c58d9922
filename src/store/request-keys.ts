// Idempotency keys of side effects (issue 18): every side-effecting request stores its key in its event's data
// (`requestKey`), so a repeat (a replayed signed request, a double click on one card, a Slack retry) is found and
// answered with the first one's outcome instead of acting twice. Looked up under the run's log lock.
import { eventData, type EventData } from '../domain/events.ts';
import type { Queryable } from './db.ts';

export interface KeyedEvent {
  id: number;
  type: string;
  actor: string;
}

/**
 * The events of run `run` carrying key `key` (SQL expressions), first first. `id + 0`: the few rows found by the key's
 * index (0013) are sorted; ordered by `id` itself, the planner may walk the primary key for the LIMIT 1 instead, and
 * a new key (every click's) then scans every event of every run.
 */
export const eventsWithKey = (run: string, key: string): string =>
  `FROM events e WHERE e.run_id = ${run} AND e.data->>'requestKey' = ${key} ORDER BY e.id + 0 LIMIT 1`;

/** The run's first event carrying `key`, if any. Call inside the transaction that holds lockRunLog. */
export async function eventWithKey(q: Queryable, runId: string, key: string): Promise<KeyedEvent | undefined> {
  const [row] = (
    await q.query<{ id: string; type: string; actor: string }>(`SELECT e.id, e.type, e.actor ${eventsWithKey('$1', '$2')}`, [runId, key])
  ).rows;
  return row ? { id: Number(row.id), type: row.type, actor: row.actor } : undefined;
}

/** The outcome recorded for a started action (its `action_finished`), if it has one yet. */
export async function finishedOf(q: Queryable, runId: string, startedId: number): Promise<EventData<'action_finished'> | undefined> {
  const [row] = (
    await q.query<{ data: unknown }>(
      `SELECT data FROM events WHERE run_id = $1 AND type = 'action_finished' AND data->>'startedEventId' = $2 LIMIT 1`,
      [runId, String(startedId)],
    )
  ).rows;
  return row ? eventData('action_finished', row.data) : undefined;
}
