// Durable schedules and the one scheduler lease. Times are the bot's clock (passed in), never the database's
// now(), so tests move time forward and every replica judges "due" by the same clock it is given.
import type { Queryable } from './db.ts';

export type ScheduleKind = 'watch' | 'reminders' | 'status';

export interface Schedule {
  kind: ScheduleKind;
  key: string;
  channelId: string | undefined;
  intervalMs: number;
  nextAt: Date;
  state: Record<string, unknown>;
  createdBy: string | undefined;
  createdAt: Date;
}

/** The scheduler lease as one claim gave it: the fence changes with every new holder. */
export interface SchedulerLease {
  holder: string;
  fence: number;
}

/** A fenced write found the lease gone: another replica runs the schedules now; write nothing. */
export class SchedulerLeaseLost extends Error {}

type Row = {
  kind: ScheduleKind;
  key: string;
  channel_id: string | null;
  interval_ms: number;
  next_at: Date;
  state: Record<string, unknown>;
  created_by: string | null;
  created_at: Date;
};

const toSchedule = (r: Row): Schedule => ({
  kind: r.kind,
  key: r.key,
  channelId: r.channel_id ?? undefined,
  intervalMs: r.interval_ms,
  nextAt: new Date(r.next_at),
  state: r.state,
  createdBy: r.created_by ?? undefined,
  createdAt: new Date(r.created_at),
});

/**
 * Take (or keep) the lease until `now + leaseMs`. A new holder draws a new fence; the current holder keeps its fence
 * while it renews in time. Undefined: another replica holds a live lease.
 */
export async function holdSchedulerLease(q: Queryable, holder: string, now: Date, leaseMs: number): Promise<SchedulerLease | undefined> {
  const [row] = (
    await q.query<{ fence: string }>(
      `UPDATE scheduler_lease SET fence = CASE WHEN holder = $1 AND until >= $2 THEN fence ELSE fence + 1 END, holder = $1, until = $3
       WHERE name = 'scheduler' AND (holder IS NULL OR holder = $1 OR until < $2) RETURNING fence`,
      [holder, now, new Date(now.getTime() + leaseMs)],
    )
  ).rows;
  return row ? { holder, fence: Number(row.fence) } : undefined;
}

/** Let another replica take over at once (graceful stop). */
export async function releaseSchedulerLease(q: Queryable, lease: SchedulerLease): Promise<void> {
  await q.query(`UPDATE scheduler_lease SET holder = NULL, until = NULL WHERE name = 'scheduler' AND holder = $1 AND fence = $2`, [
    lease.holder,
    lease.fence,
  ]);
}

/**
 * Inside a job's transaction, before it writes anything: the lease must still be this one. FOR SHARE makes a takeover
 * wait for this transaction, so a replica that lost the lease can never commit after the new holder started.
 */
export async function assertLease(q: Queryable, lease: SchedulerLease): Promise<void> {
  const res = await q.query(`SELECT 1 FROM scheduler_lease WHERE name = 'scheduler' AND holder = $1 AND fence = $2 FOR SHARE`, [
    lease.holder,
    lease.fence,
  ]);
  if (res.rowCount !== 1) throw new SchedulerLeaseLost('scheduler lease lost');
}

export async function dueSchedules(q: Queryable, now: Date, limit: number): Promise<Schedule[]> {
  return (await q.query<Row>('SELECT * FROM schedules WHERE next_at <= $1 ORDER BY next_at LIMIT $2', [now, limit])).rows.map(toSchedule);
}

/** Jobs due at `now` per kind and the oldest one's due time (the scheduler's metrics). */
export async function dueSummary(q: Queryable, now: Date): Promise<{ kind: ScheduleKind; count: number; oldestDueAt: Date }[]> {
  const rows = await q.query<{ kind: ScheduleKind; n: string; oldest: Date }>(
    'SELECT kind, count(*) AS n, min(next_at) AS oldest FROM schedules WHERE next_at <= $1 GROUP BY kind',
    [now],
  );
  return rows.rows.map((r) => ({ kind: r.kind, count: Number(r.n), oldestDueAt: new Date(r.oldest) }));
}

export async function getSchedule(q: Queryable, kind: ScheduleKind, key: string): Promise<Schedule | undefined> {
  const [row] = (await q.query<Row>('SELECT * FROM schedules WHERE kind = $1 AND key = $2', [kind, key])).rows;
  return row ? toSchedule(row) : undefined;
}

/** Create or replace a job (a new interval starts over from `nextAt`; the remembered state is kept unless given). */
export async function putSchedule(
  q: Queryable,
  s: {
    kind: ScheduleKind;
    key: string;
    channelId?: string | undefined;
    intervalMs: number;
    nextAt: Date;
    createdBy?: string | undefined;
    now: Date;
    state?: Record<string, unknown>;
  },
): Promise<void> {
  await q.query(
    `INSERT INTO schedules (kind, key, channel_id, interval_ms, next_at, state, created_by, created_at) VALUES ($1, $2, $3, $4, $5, COALESCE($6::jsonb, '{}'::jsonb), $7, $8)
     ON CONFLICT (kind, key) DO UPDATE SET interval_ms = EXCLUDED.interval_ms, next_at = EXCLUDED.next_at, created_by = EXCLUDED.created_by, created_at = EXCLUDED.created_at,
       state = COALESCE($6::jsonb, schedules.state)`,
    [
      s.kind,
      s.key,
      s.channelId ?? null,
      Math.round(s.intervalMs),
      s.nextAt,
      s.state ? JSON.stringify(s.state) : null,
      s.createdBy ?? null,
      s.now,
    ],
  );
}

/** After a job ran: its next time and what it remembers. */
export async function advanceSchedule(
  q: Queryable,
  kind: ScheduleKind,
  key: string,
  nextAt: Date,
  state: Record<string, unknown>,
): Promise<void> {
  await q.query('UPDATE schedules SET next_at = $3, state = $4::jsonb WHERE kind = $1 AND key = $2', [
    kind,
    key,
    nextAt,
    JSON.stringify(state),
  ]);
}

export async function deleteSchedule(q: Queryable, kind: ScheduleKind, key: string): Promise<boolean> {
  return (await q.query('DELETE FROM schedules WHERE kind = $1 AND key = $2', [kind, key])).rowCount === 1;
}

/**
 * Every active run has a watch job (first due one interval after the run started) and the reminder sweep exists: created here rather than at each run's start, so
 * runs started before this version (or by an older replica) are watched too.
 */
export async function ensureStandingJobs(q: Queryable, now: Date, watchFirstMs: number, sweepMs: number): Promise<void> {
  await q.query(
    `INSERT INTO schedules (kind, key, channel_id, interval_ms, next_at, created_at)
     SELECT 'watch', r.id, r.channel_id, $2, r.started_at + ($2::int * interval '1 millisecond'), $1 FROM runs r
     WHERE r.status = 'active' AND NOT EXISTS (SELECT 1 FROM schedules s WHERE s.kind = 'watch' AND s.key = r.id)
     ON CONFLICT DO NOTHING`,
    [now, Math.round(watchFirstMs)],
  );
  await q.query(
    `INSERT INTO schedules (kind, key, interval_ms, next_at, created_at) VALUES ('reminders', 'all', $2, $1, $1) ON CONFLICT DO NOTHING`,
    [now, Math.round(sweepMs)],
  );
}

/** Create the job or change its settings, keeping what it remembers (`/caracal watch`): due at `nextAt`. */
export async function mergeSchedule(
  q: Queryable,
  s: {
    kind: ScheduleKind;
    key: string;
    channelId: string;
    intervalMs: number;
    nextAt: Date;
    now: Date;
    createdBy: string;
    state: Record<string, unknown>;
  },
): Promise<void> {
  await q.query(
    `INSERT INTO schedules (kind, key, channel_id, interval_ms, next_at, state, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)
     ON CONFLICT (kind, key) DO UPDATE SET next_at = EXCLUDED.next_at, state = schedules.state || EXCLUDED.state`,
    [s.kind, s.key, s.channelId, Math.round(s.intervalMs), s.nextAt, JSON.stringify(s.state), s.createdBy, s.now],
  );
}
