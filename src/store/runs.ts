// Saving recovery runs. SQL lives here, in small named functions; the machine stays pure. Reading a run is
// read-run.ts (re-exported here, where the callers of both find it).
import { GATES } from '../domain/gates.ts';
import type { GateState, RunState } from '../domain/run.ts';
import type { Queryable } from './db.ts';

export { loadRun, lockAndReadRun, READ_RUN, readDrillMarks } from './read-run.ts';

/** Another transaction changed the run between our read and our write (double click, second replica). */
export class VersionConflict extends Error {
  override name = 'VersionConflict';
}

export async function insertRun(q: Queryable, run: RunState): Promise<void> {
  await q.query(
    `INSERT INTO runs (id, channel_id, title, kind, scenario, status, started_by, started_at, version, environment)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, COALESCE($10, 'default'))`,
    [
      run.id,
      run.channelId,
      run.title,
      run.kind,
      run.scenario ?? null,
      run.status,
      run.startedBy,
      run.startedAt,
      run.version,
      run.environment ?? null,
    ],
  );
  for (const [position, g] of run.gates.entries()) {
    await q.query(`INSERT INTO gates (run_id, gate, position, status, opened_at) VALUES ($1, $2, $3, $4, $5)`, [
      run.id,
      g.gate,
      position,
      g.status,
      g.openedAt ?? null,
    ]);
  }
}

export async function findRunId(q: Queryable, channelId: string, which: 'active' | 'latest'): Promise<string | undefined> {
  const sql =
    which === 'active'
      ? `SELECT id FROM runs WHERE channel_id = $1 AND status = 'active'`
      : `SELECT id FROM runs WHERE channel_id = $1 ORDER BY started_at DESC, id DESC LIMIT 1`;
  return (await q.query<{ id: string }>(sql, [channelId])).rows[0]?.id;
}

export async function setDashboardTs(q: Queryable, runId: string, ts: string | null): Promise<void> {
  await q.query('UPDATE runs SET dashboard_ts = $2 WHERE id = $1', [runId, ts]);
}

/** Write `after` over `before`: the run row guarded by its version, then whatever changed in each gate. */
export async function saveRun(q: Queryable, before: RunState, after: RunState, now: Date, actor: string): Promise<void> {
  const bumped = await q.query('UPDATE runs SET status = $3, ended_at = $4, version = version + 1 WHERE id = $1 AND version = $2', [
    after.id,
    before.version,
    after.status,
    after.endedAt ?? null,
  ]);
  if (bumped.rowCount !== 1) throw new VersionConflict(`run ${after.id} changed since version ${before.version}`);
  for (const gate of GATES) {
    const a = after.gates.find((g) => g.gate === gate);
    const b = before.gates.find((g) => g.gate === gate);
    if (!a || !b || a === b) continue;
    await q.query(
      `UPDATE gates SET status = $3, claimed_by = $4, claimed_at = CASE WHEN claimed_by IS DISTINCT FROM $4 THEN $8::timestamptz ELSE claimed_at END,
              done_by = $5, done_at = $6, opened_at = $7, checklist = $9::jsonb, version = version + 1
       WHERE run_id = $1 AND gate = $2`,
      [
        after.id,
        gate,
        a.status,
        a.claimedBy ?? null,
        a.doneBy ?? null,
        a.doneAt ?? null,
        a.openedAt ?? null,
        now,
        JSON.stringify(a.checklist),
      ],
    );
    if (a.checks !== b.checks) await saveGateChecks(q, after.id, a);
    await saveApprovals(q, after.id, b, a, now, actor);
  }
}

async function saveGateChecks(q: Queryable, runId: string, g: GateState): Promise<void> {
  await q.query('DELETE FROM gate_checks WHERE run_id = $1 AND gate = $2', [runId, g.gate]);
  for (const c of g.checks) {
    await q.query(
      'INSERT INTO gate_checks (run_id, gate, check_id, status, summary, started_at, finished_at, findings) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)',
      [runId, g.gate, c.checkId, c.status, c.summary, c.startedAt, c.finishedAt, JSON.stringify(c.findings ?? [])],
    );
  }
}

async function saveApprovals(q: Queryable, runId: string, b: GateState, a: GateState, now: Date, actor: string): Promise<void> {
  // Confirm votes: one row per voter; a renewed vote moves its time, a withdrawn or expired one is deleted
  // (the event log keeps every vote and why it stopped counting).
  const before = new Map(b.confirmVotes.map((v) => [v.userId, v.at.getTime()]));
  for (const vote of a.confirmVotes) {
    const was = before.get(vote.userId);
    if (was === vote.at.getTime()) continue;
    await q.query(
      `INSERT INTO approvals (id, run_id, gate, kind, requested_by, status, created_at) VALUES ($1, $2, $3, 'confirm', $4, 'counted', $5)
       ON CONFLICT (id) DO UPDATE SET created_at = EXCLUDED.created_at`,
      [`${runId}:${a.gate}:${vote.userId}`, runId, a.gate, vote.userId, vote.at],
    );
  }
  const kept = new Set(a.confirmVotes.map((v) => v.userId));
  const gone = b.confirmVotes.filter((v) => !kept.has(v.userId)).map((v) => `${runId}:${a.gate}:${v.userId}`);
  if (gone.length > 0) await q.query(`DELETE FROM approvals WHERE kind = 'confirm' AND id = ANY($1::text[])`, [gone]);
  if (a.override && a.override.id !== b.override?.id) {
    await q.query(
      `INSERT INTO approvals (id, run_id, gate, kind, requested_by, reason, status, created_at) VALUES ($1, $2, $3, 'override', $4, $5, 'pending', $6)`,
      [a.override.id, runId, a.gate, a.override.requestedBy, a.override.reason, now],
    );
  }
  if (b.override && a.override?.id !== b.override.id) {
    const status = a.status === 'overridden' ? 'approved' : 'rejected';
    await q.query(`UPDATE approvals SET status = $2, decided_by = $3, decided_at = $4 WHERE id = $1 AND status = 'pending'`, [
      b.override.id,
      status,
      actor,
      now,
    ]);
  }
}
