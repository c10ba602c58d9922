// The append-only event log of each run. The incident log thread and the timeline are rendered from it.
import { EVENT_SCHEMA_VERSION, eventData, readEvent, type EventDraft, type StoredEvent } from '../domain/events.ts';
import type { Gate } from '../domain/gates.ts';
import type { Queryable } from './db.ts';

type EventRow = { id: string; run_id: string; at: Date; actor: string; type: string; gate: Gate | null; v: number; data: unknown };

const toEvent = (r: EventRow): StoredEvent =>
  readEvent({ id: Number(r.id), runId: r.run_id, at: r.at, actor: r.actor, type: r.type, gate: r.gate ?? undefined, v: r.v, data: r.data });

/**
 * Take the run's row lock for the rest of the transaction before appending to its log. Transactions that only
 * append (notes, denials) would otherwise draw ids and commit in a different order than a concurrent transition,
 * and the dispatcher, which delivers what has committed, would post a later log entry before an earlier one.
 */
export async function lockRunLog(q: Queryable, runId: string): Promise<void> {
  await q.query('SELECT 1 FROM runs WHERE id = $1 FOR NO KEY UPDATE', [runId]);
}

/**
 * Append one event; its data is checked against its type's schema first, so the log holds only shapes readers know.
 * `toThread` queues its incident-log entry (the outbox, deliveries.ts) in the same statement: one round trip, not two.
 */
export async function appendEvent(
  q: Queryable,
  runId: string,
  at: Date,
  e: EventDraft,
  options: { toThread?: boolean } = {},
): Promise<number> {
  const res = await q.query<{ id: string }>(
    `WITH e AS (
       INSERT INTO events (run_id, at, actor, type, gate, v, data) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) RETURNING id
     ), entry AS (
       INSERT INTO deliveries (run_id, kind, event_id) SELECT $1, 'thread', id FROM e WHERE $8::boolean
     )
     SELECT id FROM e`,
    [
      runId,
      at,
      e.actor,
      e.type,
      e.gate ?? null,
      EVENT_SCHEMA_VERSION,
      JSON.stringify(eventData(e.type, e.data)),
      options.toThread ?? false,
    ],
  );
  return Number(res.rows[0].id);
}

export async function listEvents(q: Queryable, runId: string): Promise<StoredEvent[]> {
  return (await q.query<EventRow>('SELECT * FROM events WHERE run_id = $1 ORDER BY id', [runId])).rows.map(toEvent);
}

export async function getEvent(q: Queryable, id: number): Promise<StoredEvent | undefined> {
  const [row] = (await q.query<EventRow>('SELECT * FROM events WHERE id = $1', [id])).rows;
  return row ? toEvent(row) : undefined;
}
