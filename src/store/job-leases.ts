// Leases of jobs that run one at a time across replicas (migrations/0007_exclusive_jobs.sql).
import type { Queryable } from './db.ts';

export interface JobLease {
  name: string;
  holder: string;
  runId: string | undefined;
  startedBy: string;
  startedAt: Date;
  progress: string;
  cancelRequestedBy: string | undefined;
}

type Row = {
  name: string;
  holder: string;
  run_id: string | null;
  started_by: string;
  started_at: Date;
  progress: string;
  cancel_requested_by: string | null;
};

const toLease = (r: Row): JobLease => ({
  name: r.name,
  holder: r.holder,
  runId: r.run_id ?? undefined,
  startedBy: r.started_by,
  startedAt: new Date(r.started_at),
  progress: r.progress,
  cancelRequestedBy: r.cancel_requested_by ?? undefined,
});

/** Take the lease when it is free or lapsed; otherwise answer who holds it. One statement: two replicas cannot both win. */
export async function acquireLease(
  q: Queryable,
  job: { name: string; holder: string; runId?: string; startedBy: string; now: Date; ttlMs: number },
): Promise<{ ok: true } | { ok: false; held: JobLease }> {
  const expires = new Date(job.now.getTime() + job.ttlMs);
  const won = await q.query(
    `INSERT INTO exclusive_jobs (name, holder, run_id, started_by, started_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (name) DO UPDATE SET holder = $2, run_id = $3, started_by = $4, started_at = $5, expires_at = $6, progress = '', cancel_requested_by = NULL
     WHERE exclusive_jobs.expires_at < $5
     RETURNING name`,
    [job.name, job.holder, job.runId ?? null, job.startedBy, job.now, expires],
  );
  if (won.rows.length > 0) return { ok: true };
  const held = await currentLease(q, job.name, job.now);
  // Lapsed between the two statements is not possible (the insert saw it live); a row gone meanwhile: try again.
  return held ? { ok: false, held } : acquireLease(q, job);
}

export async function currentLease(q: Queryable, name: string, now: Date): Promise<JobLease | undefined> {
  const [row] = (await q.query<Row>('SELECT * FROM exclusive_jobs WHERE name = $1 AND expires_at >= $2', [name, now])).rows;
  return row ? toLease(row) : undefined;
}

/** Extend the holder's lease with its progress; answers who asked it to stop, if anyone did. Undefined: lost it. */
export async function renewLease(
  q: Queryable,
  name: string,
  holder: string,
  progress: string,
  now: Date,
  ttlMs: number,
): Promise<{ cancelRequestedBy: string | undefined } | undefined> {
  const [row] = (
    await q.query<{ cancel_requested_by: string | null }>(
      'UPDATE exclusive_jobs SET progress = $3, expires_at = $4 WHERE name = $1 AND holder = $2 RETURNING cancel_requested_by',
      [name, holder, progress, new Date(now.getTime() + ttlMs)],
    )
  ).rows;
  return row ? { cancelRequestedBy: row.cancel_requested_by ?? undefined } : undefined;
}

export async function releaseLease(q: Queryable, name: string, holder: string): Promise<void> {
  await q.query('DELETE FROM exclusive_jobs WHERE name = $1 AND holder = $2', [name, holder]);
}

/** Ask whoever holds the job to stop; false when nothing runs. */
export async function requestCancel(q: Queryable, name: string, by: string, now: Date): Promise<boolean> {
  const res = await q.query('UPDATE exclusive_jobs SET cancel_requested_by = $2 WHERE name = $1 AND expires_at >= $3', [name, by, now]);
  return res.rowCount > 0;
}
