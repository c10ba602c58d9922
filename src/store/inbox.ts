// The request inbox (migration 0015): saved before the ack, deleted once handled, taken over when its hold runs out.
// Holds are measured on the database's clock, the one clock every replica shares.
import type { Queryable } from './db.ts';

export interface SavedRequest {
  id: string;
  route: string;
  body: unknown;
  /** How many sweeps have taken it (1 on the first). */
  attempts: number;
}

/** One INSERT for every request saved in the same instant: a burst costs one commit, not one each. */
export async function saveRequests(q: Queryable, requests: readonly SavedRequest[], holdMs: number): Promise<void> {
  await q.query(
    `INSERT INTO inbox (id, route, body, held_until)
     SELECT id, route, body::jsonb, now() + $4 * interval '1 millisecond'
     FROM unnest($1::uuid[], $2::text[], $3::text[]) AS r(id, route, body)`,
    [requests.map((r) => r.id), requests.map((r) => r.route), requests.map((r) => JSON.stringify(r.body)), holdMs],
  );
}

/** One DELETE for every request handled in the same instant, as saveRequests saves them. */
export async function deleteRequests(q: Queryable, ids: readonly string[]): Promise<void> {
  await q.query('DELETE FROM inbox WHERE id = ANY($1::uuid[])', [ids]);
}

/** Takes (and holds again for `holdMs`) up to `limit` requests whose hold ran out, oldest first. */
export async function takeAbandonedRequests(q: Queryable, holdMs: number, limit: number): Promise<SavedRequest[]> {
  const { rows } = await q.query<{ id: string; route: string; body: unknown; attempts: number; received_at: Date }>(
    `UPDATE inbox SET held_until = now() + $1 * interval '1 millisecond', attempts = attempts + 1
     WHERE id IN (SELECT id FROM inbox WHERE held_until < now() ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING id, route, body, attempts, received_at`,
    [holdMs, limit],
  );
  return rows.sort((a, b) => a.received_at.getTime() - b.received_at.getTime()).map(({ received_at: _r, ...r }) => r);
}

export async function inboxStats(q: Queryable): Promise<{ inboxWaiting: number; inboxOldestSeconds: number }> {
  const [row] = (
    await q.query<{ n: number; oldest: number | null }>(
      'SELECT count(*)::int AS n, extract(epoch FROM now() - min(received_at))::float8 AS oldest FROM inbox',
    )
  ).rows;
  return { inboxWaiting: row?.n ?? 0, inboxOldestSeconds: row?.oldest ?? 0 };
}

export async function countInbox(q: Queryable): Promise<number> {
  return (await inboxStats(q)).inboxWaiting;
}
