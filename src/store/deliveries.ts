// The outbox of Slack deliveries: written with the state change it projects, delivered per run by the one
// dispatcher holding that run's lease, so a run's messages go out in order and never twice at once.
import type { Queryable } from './db.ts';

export interface Delivery {
  id: number;
  runId: string;
  kind: 'dashboard' | 'thread';
  eventId: number | undefined;
  attempts: number;
  /** An earlier attempt may have reached Slack unrecorded: look for it before posting again. */
  maybePosted: boolean;
}

type DeliveryRow = { id: string; run_id: string; kind: 'dashboard' | 'thread'; event_id: string | null; attempts: number; maybe_posted: boolean };

export async function enqueueDelivery(q: Queryable, runId: string, kind: 'dashboard' | 'thread', eventId?: number): Promise<void> {
  await q.query('INSERT INTO deliveries (run_id, kind, event_id) VALUES ($1, $2, $3)', [runId, kind, eventId ?? null]);
}

/** Lease up to `limit` runs that have due deliveries and no live lease held by another worker. */
export async function claimRuns(q: Queryable, workerId: string, limit: number, leaseMs: number): Promise<string[]> {
  const rows = (
    await q.query<{ id: string }>(
      `UPDATE runs SET delivery_locked_by = $1, delivery_locked_until = now() + ($3::int * interval '1 millisecond')
       WHERE id IN (
         SELECT r.id FROM runs r
         WHERE (r.delivery_locked_until IS NULL OR r.delivery_locked_until < now() OR r.delivery_locked_by = $1)
           AND EXISTS (SELECT 1 FROM deliveries d WHERE d.run_id = r.id AND d.status = 'pending' AND d.next_attempt_at <= now())
         ORDER BY r.started_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [workerId, limit, leaseMs],
    )
  ).rows;
  return rows.map((r) => r.id);
}

export async function releaseRun(q: Queryable, runId: string, workerId: string): Promise<void> {
  await q.query('UPDATE runs SET delivery_locked_by = NULL, delivery_locked_until = NULL WHERE id = $1 AND delivery_locked_by = $2', [runId, workerId]);
}

/**
 * The run's due deliveries, oldest first; each counted as an attempt and marked as possibly posted until the attempt
 * is recorded (markDelivered or reschedule), so a crash in between leaves the mark. Only the lease holder calls this.
 */
export async function takeDue(q: Queryable, runId: string): Promise<Delivery[]> {
  const rows = (
    await q.query<DeliveryRow>(
      `WITH due AS (
         SELECT id, maybe_posted FROM deliveries WHERE run_id = $1 AND status = 'pending' AND next_attempt_at <= now() FOR UPDATE
       )
       UPDATE deliveries d SET attempts = d.attempts + 1, maybe_posted = true FROM due WHERE d.id = due.id
       RETURNING d.id, d.run_id, d.kind, d.event_id, d.attempts, due.maybe_posted`,
      [runId],
    )
  ).rows;
  return rows
    .map((r) => ({
      id: Number(r.id), runId: r.run_id, kind: r.kind, eventId: r.event_id === null ? undefined : Number(r.event_id), attempts: r.attempts, maybePosted: r.maybe_posted,
    }))
    .sort((a, b) => a.id - b.id);
}

export async function markDelivered(q: Queryable, ids: number[], messageTs?: string): Promise<void> {
  await q.query(
    `UPDATE deliveries SET status = 'done', delivered_at = now(), message_ts = COALESCE($2, message_ts), maybe_posted = false WHERE id = ANY($1::bigint[])`,
    [ids, messageTs ?? null],
  );
}

/**
 * Give rows back to the queue after `delayMs` (429 Retry-After, or backoff after an error); `giveUp` marks them failed.
 * `maybePosted`: rows that may be in Slack already (a call that got no clear answer, a thread not yet looked at).
 */
export async function reschedule(q: Queryable, ids: number[], delayMs: number, error: string, giveUp: boolean, maybePosted: number[] = []): Promise<void> {
  await q.query(
    `UPDATE deliveries SET last_error = $3, status = CASE WHEN $4 THEN 'failed' ELSE status END,
            next_attempt_at = now() + ($2::int * interval '1 millisecond'), maybe_posted = COALESCE(id = ANY($5::bigint[]), false)
     WHERE id = ANY($1::bigint[])`,
    [ids, delayMs, error, giveUp, maybePosted],
  );
}

export async function pendingCount(q: Queryable): Promise<number> {
  return (await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM deliveries WHERE status = 'pending'`)).rows[0]?.n ?? 0;
}
