// App Home state in the database: each person's Home tab (page, behind or published, a short lease while one
// replica publishes it) and the reads the Home is built from. Small named queries; no Slack here.
import type { CheckStatus } from '../domain/check-result.ts';
import type { Gate } from '../domain/gates.ts';
import type { Queryable } from './db.ts';

export interface HomeClaimRow {
  userId: string;
  page: number;
  /**
   * The change this publish covers: published_at becomes this, so a change during the publish stays behind. Kept as
   * Postgres's text: a JavaScript Date drops the microseconds, and the Home would look behind for ever.
   */
  wantedAt: string;
  attempts: number;
}

/** Someone opened their Home tab (or changed page): publish it soon, keeping their page unless one is given. */
export async function wantHome(q: Queryable, userId: string, page?: number): Promise<void> {
  await q.query(
    `INSERT INTO home_views (user_id, page, wanted_at) VALUES ($1, COALESCE($2::int, 0), clock_timestamp())
     ON CONFLICT (user_id) DO UPDATE SET wanted_at = clock_timestamp(), page = COALESCE($2::int, home_views.page), locked_until = NULL, attempts = 0`,
    [userId, page ?? null],
  );
}

/** Something every Home shows changed (a run, a report): every known Home is behind. One statement, any number of people. */
export async function wantAllHomes(q: Queryable): Promise<number> {
  return (await q.query('UPDATE home_views SET wanted_at = clock_timestamp()')).rowCount;
}

/** Up to `limit` Homes that are behind and not held (or backing off), leased to `workerId` for `leaseMs`. */
export async function claimHomes(q: Queryable, workerId: string, limit: number, leaseMs: number): Promise<HomeClaimRow[]> {
  const res = await q.query<{ user_id: string; page: number; wanted_at: string; attempts: number }>(
    `UPDATE home_views SET locked_by = $1, locked_until = clock_timestamp() + ($3::int * interval '1 millisecond')
     WHERE user_id IN (
       SELECT user_id FROM home_views
       WHERE (published_at IS NULL OR published_at < wanted_at) AND (locked_until IS NULL OR locked_until < clock_timestamp())
       ORDER BY wanted_at LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING user_id, page, wanted_at::text AS wanted_at, attempts`,
    [workerId, limit, Math.round(leaseMs)],
  );
  return res.rows.map((r) => ({ userId: r.user_id, page: r.page, wantedAt: r.wanted_at, attempts: r.attempts }));
}

/** Published: covered up to the claimed change; the lease ends. Fenced by the lease holder. */
export async function homePublished(q: Queryable, claim: HomeClaimRow, workerId: string, page: number): Promise<void> {
  await q.query(
    `UPDATE home_views SET published_at = $3::timestamptz, page = $4, locked_by = NULL, locked_until = NULL, attempts = 0, last_error = NULL
     WHERE user_id = $1 AND locked_by = $2`,
    [claim.userId, workerId, claim.wantedAt, page],
  );
}

/** Failed: try again after `retryMs` (the lease becomes the back-off). */
export async function homeFailed(q: Queryable, claim: HomeClaimRow, workerId: string, error: string, retryMs: number): Promise<void> {
  await q.query(
    `UPDATE home_views SET locked_by = NULL, locked_until = clock_timestamp() + ($3::int * interval '1 millisecond'), attempts = attempts + 1, last_error = $4
     WHERE user_id = $1 AND locked_by = $2`,
    [claim.userId, workerId, Math.round(retryMs), error],
  );
}

export async function homesBehind(q: Queryable): Promise<number> {
  const res = await q.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM home_views WHERE published_at IS NULL OR published_at < wanted_at',
  );
  return res.rows[0]?.n ?? 0;
}

export interface ActiveRunHead {
  id: string;
  channelId: string;
}

/** Every active run, newest first: the Home's list before it is filtered to what one person can see. */
export async function activeRunHeads(q: Queryable): Promise<ActiveRunHead[]> {
  const res = await q.query<{ id: string; channel_id: string }>(
    `SELECT id, channel_id FROM runs WHERE status = 'active' ORDER BY started_at DESC, id DESC`,
  );
  return res.rows.map((r) => ({ id: r.id, channelId: r.channel_id }));
}

export interface OpenClaim {
  runId: string;
  channelId: string;
  title: string;
  environment: string;
  gate: Gate;
  claimedAt: Date | undefined;
  dashboardTs: string | undefined;
}

/** The open gates `userId` holds, in active runs. */
export async function openClaims(q: Queryable, userId: string): Promise<OpenClaim[]> {
  const res = await q.query<{
    id: string;
    channel_id: string;
    title: string;
    environment: string;
    gate: Gate;
    claimed_at: Date | null;
    dashboard_ts: string | null;
  }>(
    `SELECT r.id, r.channel_id, r.title, r.environment, g.gate, g.claimed_at, r.dashboard_ts
     FROM gates g JOIN runs r ON r.id = g.run_id
     WHERE g.claimed_by = $1 AND g.status = 'open' AND r.status = 'active' ORDER BY g.claimed_at, r.id`,
    [userId],
  );
  return res.rows.map((r) => ({
    runId: r.id,
    channelId: r.channel_id,
    title: r.title,
    environment: r.environment,
    gate: r.gate,
    claimedAt: r.claimed_at ?? undefined,
    dashboardTs: r.dashboard_ts ?? undefined,
  }));
}

export interface LastReport {
  environment: string;
  channelId: string;
  messageTs: string | undefined;
  at: Date;
  /** Worst status of the report's results, and how many of each. */
  counts: Record<CheckStatus, number>;
}

/** The last complete status report of each environment. */
export async function lastReports(q: Queryable): Promise<LastReport[]> {
  const res = await q.query<{
    environment: string;
    channel_id: string;
    message_ts: string | null;
    created_at: Date;
    statuses: CheckStatus[] | null;
  }>(
    `SELECT DISTINCT ON (environment) environment, channel_id, message_ts, created_at,
            (SELECT array_agg(x->>'status') FROM jsonb_array_elements(view->'results') x) AS statuses
     FROM reports WHERE complete ORDER BY environment, created_at DESC`,
  );
  return res.rows.map((r) => {
    const counts: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, error: 0 };
    for (const s of r.statuses ?? []) if (s in counts) counts[s]++;
    return { environment: r.environment, channelId: r.channel_id, messageTs: r.message_ts ?? undefined, at: r.created_at, counts };
  });
}
