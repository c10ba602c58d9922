// The outbox of Slack deliveries: written with the state change it projects, delivered per run by the one
// dispatcher holding that run's lease, so a run's messages go out in order and never twice at once. Every write
// of an outcome is fenced: it applies only while the writer still holds the lease it was given (same worker,
// same fence token), so a replica that lost its lease cannot mark anything.
import type { Queryable } from './db.ts';

export interface Delivery {
  id: number;
  runId: string;
  kind: 'dashboard' | 'thread';
  eventId: number | undefined;
  attempts: number;
  /** An earlier attempt may have reached Slack unrecorded: look for it before posting again. */
  maybePosted: boolean;
  /** Slack refused this message: post the placeholder that replaces it. */
  refused: string | undefined;
}

/** A run's delivery lease as one claim gave it: the fence changes with every claim. */
export interface Lease {
  runId: string;
  channelId: string;
  workerId: string;
  fence: number;
}

type DeliveryRow = {
  id: string;
  run_id: string;
  kind: 'dashboard' | 'thread';
  event_id: string | null;
  attempts: number;
  maybe_posted: boolean;
  refused: string | null;
};

const FENCED = `FROM runs r WHERE r.id = d.run_id AND r.delivery_locked_by = $2 AND r.delivery_fence = $3`;

export async function enqueueDelivery(q: Queryable, runId: string, kind: 'dashboard' | 'thread', eventId?: number): Promise<void> {
  await q.query('INSERT INTO deliveries (run_id, kind, event_id) VALUES ($1, $2, $3)', [runId, kind, eventId ?? null]);
}

/**
 * Lease up to `limit` runs that have due deliveries, no live lease held by another worker, and a channel that is
 * not paused (a paused channel is claimed again when its probe is due). Each claim draws a new fence token.
 */
/** `busy`: runs this worker is delivering right now (its own lease on them must not be taken a second time). */
export async function claimRuns(
  q: Queryable,
  workerId: string,
  limit: number,
  leaseMs: number,
  busy: readonly string[] = [],
): Promise<Lease[]> {
  const rows = (
    await q.query<{ id: string; channel_id: string; delivery_fence: string }>(
      `UPDATE runs SET delivery_locked_by = $1, delivery_locked_until = now() + ($3::int * interval '1 millisecond'),
              delivery_fence = delivery_fence + 1
       WHERE id IN (
         SELECT r.id FROM runs r
         WHERE (r.delivery_locked_until IS NULL OR r.delivery_locked_until < now() OR r.delivery_locked_by = $1)
           AND r.id <> ALL($4::text[])
           -- Something deliverable (as takeDue reads it): not an entry that waits behind an earlier one, so a run
           -- claimed always makes progress and a pass that ends can look again at once.
           AND EXISTS (SELECT 1 FROM deliveries d WHERE d.run_id = r.id AND d.status = 'pending' AND d.next_attempt_at <= now()
             AND (d.kind = 'dashboard' OR NOT EXISTS (SELECT 1 FROM deliveries w WHERE w.run_id = r.id AND w.status = 'pending'
               AND w.kind = 'thread' AND w.id < d.id AND w.next_attempt_at > now())))
           AND NOT EXISTS (SELECT 1 FROM slack_channels c WHERE c.channel_id = r.channel_id AND c.paused_error IS NOT NULL AND c.next_probe_at > now())
         ORDER BY r.started_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id, channel_id, delivery_fence`,
      [workerId, limit, leaseMs, busy],
    )
  ).rows;
  return rows.map((r) => ({ runId: r.id, channelId: r.channel_id, workerId, fence: Number(r.delivery_fence) }));
}

/** Extend the lease while a pass works; false when it was lost (expired and taken by another worker). */
export async function renewLease(q: Queryable, lease: Lease, leaseMs: number): Promise<boolean> {
  const res = await q.query(
    `UPDATE runs SET delivery_locked_until = now() + ($4::int * interval '1 millisecond')
     WHERE id = $1 AND delivery_locked_by = $2 AND delivery_fence = $3`,
    [lease.runId, lease.workerId, lease.fence, leaseMs],
  );
  return res.rowCount === 1;
}

export async function releaseRun(q: Queryable, lease: Lease): Promise<void> {
  await q.query(
    'UPDATE runs SET delivery_locked_by = NULL, delivery_locked_until = NULL WHERE id = $1 AND delivery_locked_by = $2 AND delivery_fence = $3',
    [lease.runId, lease.workerId, lease.fence],
  );
}

/**
 * The run's first `limit` due thread entries, oldest first (a bounded batch: the lease outlives the pass), and
 * every due dashboard row (they all become one update). Never an entry queued after one that still waits (a
 * Retry-After, a backoff): a thread is never reordered, so an entry that arrives meanwhile waits behind it.
 */
export async function takeDue(q: Queryable, lease: Lease, limit: number): Promise<Delivery[]> {
  const rows = (
    await q.query<DeliveryRow>(
      `SELECT d.id, d.run_id, d.kind, d.event_id, d.attempts, d.maybe_posted, d.refused FROM deliveries d
       WHERE d.run_id = $1 AND d.status = 'pending' AND d.next_attempt_at <= now()
         AND (d.kind = 'dashboard' OR d.id IN (
           SELECT t.id FROM deliveries t WHERE t.run_id = $1 AND t.status = 'pending' AND t.kind = 'thread' AND t.next_attempt_at <= now()
             AND NOT EXISTS (SELECT 1 FROM deliveries w WHERE w.run_id = $1 AND w.status = 'pending' AND w.kind = 'thread' AND w.id < t.id AND w.next_attempt_at > now())
           ORDER BY t.id LIMIT $4))
         AND EXISTS (SELECT 1 FROM runs r WHERE r.id = $1 AND r.delivery_locked_by = $2 AND r.delivery_fence = $3)
       ORDER BY d.id`,
      [lease.runId, lease.workerId, lease.fence, limit],
    )
  ).rows;
  return rows.map((r) => ({
    id: Number(r.id),
    runId: r.run_id,
    kind: r.kind,
    eventId: r.event_id === null ? undefined : Number(r.event_id),
    attempts: r.attempts,
    maybePosted: r.maybe_posted,
    refused: r.refused ?? undefined,
  }));
}

async function fenced(q: Queryable, lease: Lease, ids: number[], set: string, params: unknown[] = []): Promise<boolean> {
  if (ids.length === 0) return true;
  const res = await q.query(`UPDATE deliveries d SET ${set} ${FENCED} AND d.id = ANY($1::bigint[])`, [
    ids,
    lease.workerId,
    lease.fence,
    ...params,
  ]);
  return res.rowCount === ids.length;
}

/**
 * About to call Slack for these rows: count the attempt and mark them possibly posted until the attempt is
 * recorded, so a crash in between leaves the mark. False: the lease is lost, do not send.
 */
export function beginAttempt(q: Queryable, lease: Lease, ids: number[]): Promise<boolean> {
  return fenced(q, lease, ids, 'attempts = d.attempts + 1, maybe_posted = true');
}

export function markDelivered(q: Queryable, lease: Lease, ids: number[], messageTs?: string): Promise<boolean> {
  return fenced(q, lease, ids, `status = 'done', delivered_at = now(), message_ts = COALESCE($4, d.message_ts), maybe_posted = false`, [
    messageTs ?? null,
  ]);
}

/** Slack refused this message: remember why, so its placeholder is posted (now, or after a crash). */
export function markRefused(q: Queryable, lease: Lease, id: number, error: string): Promise<boolean> {
  return fenced(q, lease, [id], 'refused = $4, last_error = $4, maybe_posted = false', [error]);
}

/** Failed alone: the placeholder that replaces it in the thread is `placeholderTs` (none for a dashboard). */
export function markFailed(q: Queryable, lease: Lease, ids: number[], error: string, placeholderTs?: string): Promise<boolean> {
  return fenced(q, lease, ids, `status = 'failed', last_error = $4, message_ts = $5, delivered_at = now(), maybe_posted = false`, [
    error,
    placeholderTs ?? null,
  ]);
}

/**
 * Give rows back to the queue after `delayMs` (Retry-After, backoff, a paused channel). `maybePosted`: rows that
 * may be in Slack already (a call that got no clear answer); the others lose their mark.
 */
export function reschedule(
  q: Queryable,
  lease: Lease,
  ids: number[],
  delayMs: number,
  error: string,
  maybePosted: number[] = [],
): Promise<boolean> {
  return fenced(
    q,
    lease,
    ids,
    `last_error = $4, next_attempt_at = now() + ($5::int * interval '1 millisecond'), maybe_posted = (d.maybe_posted AND d.id = ANY($6::bigint[]))`,
    [error, Math.round(delayMs), maybePosted],
  );
}

export interface DeliveryStats {
  queued: number;
  failed: number;
  oldestQueuedSeconds: number;
}

export async function deliveryStats(q: Queryable): Promise<DeliveryStats> {
  const [row] = (
    await q.query<{ queued: number; failed: number; oldest: number | null }>(
      `SELECT count(*) FILTER (WHERE status = 'pending')::int AS queued, count(*) FILTER (WHERE status = 'failed')::int AS failed,
              extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'pending'))::float8 AS oldest
       FROM deliveries WHERE status <> 'done'`,
    )
  ).rows;
  return { queued: row?.queued ?? 0, failed: row?.failed ?? 0, oldestQueuedSeconds: row?.oldest ?? 0 };
}

export async function pendingCount(q: Queryable): Promise<number> {
  return (await deliveryStats(q)).queued;
}

/** Retention: delete delivered (or failed) rows older than `days`, `batch` at a time (index on delivered_at). */
export async function pruneDeliveries(q: Queryable, days: number, batch = 5000): Promise<number> {
  const res = await q.query(
    `DELETE FROM deliveries WHERE id IN (
       SELECT id FROM deliveries WHERE status <> 'pending' AND delivered_at < now() - ($1::int * interval '1 day') ORDER BY delivered_at LIMIT $2)`,
    [days, batch],
  );
  return res.rowCount;
}
