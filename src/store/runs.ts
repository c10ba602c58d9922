// Loading and saving recovery runs. SQL lives here, in small named functions; the machine stays pure.
import type { CheckStatus } from '../domain/check-result.ts';
import { GATES, type FreezeItem, type Gate } from '../domain/gates.ts';
import type { DrillMarker, GateState, GateStatus, RunState } from '../domain/run.ts';
import type { Db, Queryable } from './db.ts';
import { lockRunLog } from './events.ts';
import { eventsWithKey, type KeyedEvent } from './request-keys.ts';
import { VERIFICATION_JSON, verificationOf, type VerificationJson } from './verifications.ts';

/** Another transaction changed the run between our read and our write (double click, second replica). */
export class VersionConflict extends Error {
  override name = 'VersionConflict';
}

type RunRow = {
  id: string;
  channel_id: string;
  title: string;
  kind: 'recovery' | 'drill';
  scenario: string | null;
  status: RunState['status'];
  started_by: string;
  started_at: Date;
  ended_at: Date | null;
  dashboard_ts: string | null;
  version: number;
  environment: string;
};
type GateRow = {
  gate: Gate;
  status: GateStatus;
  claimed_by: string | null;
  done_by: string | null;
  done_at: Date | null;
  opened_at: Date | null;
  checklist: Partial<Record<FreezeItem, string>>;
};
type CheckRow = {
  gate: Gate;
  check_id: string;
  status: CheckStatus;
  summary: string;
  started_at: Date;
  finished_at: Date;
  findings: string[] | null;
};
type ApprovalRow = {
  id: string;
  gate: Gate;
  kind: 'confirm' | 'override';
  requested_by: string;
  reason: string | null;
  status: string;
  created_at: Date;
};

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

/** The run as of one instant; `db.snapshot` gives the consistency (several SELECTs must not straddle a commit). */
export function loadRun(db: Db, runId: string): Promise<RunState | undefined> {
  return db.snapshot((q) => readRun(q, runId));
}

/**
 * The run under its row lock, for the rest of the transaction: whoever decides on it next waits for this one. With
 * a request key, also the run's first event carrying it (the request was applied already), read in the same query.
 * The lock is its own statement: a statement's snapshot is taken before it waits for a lock, so a read in the same
 * statement would miss what the transaction it waited for committed.
 */
export async function lockAndReadRun(
  tx: Queryable,
  runId: string,
  requestKey?: string,
): Promise<{ run: RunState; applied: KeyedEvent | undefined } | undefined> {
  await lockRunLog(tx, runId);
  const row = await readRunRow(tx, runId, requestKey);
  if (!row) return undefined;
  const applied = row.keyed_json ? { ...row.keyed_json, id: Number(row.keyed_json.id) } : undefined;
  return { run: runOf(row), applied };
}

/** When each drill marker was first recorded in the run's log (a marker recorded twice counts from the first). */
export async function readDrillMarks(q: Queryable, runId: string): Promise<Partial<Record<DrillMarker, Date>>> {
  const rows = (
    await q.query<{ marker: DrillMarker; at: Date }>(
      `SELECT data->>'marker' AS marker, min(at) AS at FROM events WHERE run_id = $1 AND type = 'drill_marker' GROUP BY 1`,
      [runId],
    )
  ).rows;
  return Object.fromEntries(rows.map((m) => [m.marker, new Date(m.at)]));
}

/** Dates inside json_agg are ISO strings: back to Dates (both truncate microseconds to milliseconds alike). */
type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };
const date = (v: string) => new Date(v);
const maybeDate = (v: string | null) => (v === null ? null : new Date(v));

/**
 * The run, its gates, checks, votes and pending overrides, its drill markers, its latest deep verification and (given
 * $2) the first event carrying a request key, in one round trip: every decision reads its run under the lock first,
 * so each query saved here is saved on every click (issue 14's ack bench).
 */
export const READ_RUN = `
  SELECT r.*,
    (SELECT coalesce(json_agg(g ORDER BY g.position), '[]') FROM gates g WHERE g.run_id = r.id) AS gates_json,
    (SELECT coalesce(json_agg(c ORDER BY c.check_id), '[]') FROM gate_checks c WHERE c.run_id = r.id) AS checks_json,
    (SELECT coalesce(json_agg(a ORDER BY a.created_at, a.id), '[]') FROM approvals a
      WHERE a.run_id = r.id AND (a.kind = 'confirm' OR a.status = 'pending')) AS approvals_json,
    (SELECT coalesce(json_object_agg(m.marker, m.at), '{}') FROM (
      SELECT data->>'marker' AS marker, min(at) AS at FROM events WHERE run_id = r.id AND type = 'drill_marker' GROUP BY 1
    ) m) AS drill_marks_json,
    ${VERIFICATION_JSON} AS verification_json,
    (SELECT json_build_object('id', e.id, 'type', e.type, 'actor', e.actor) ${eventsWithKey('r.id', '$2::text')}) AS keyed_json
  FROM runs r WHERE r.id = $1`;

type ReadRunRow = RunRow & {
  gates_json: Json<GateRow>[];
  checks_json: Json<CheckRow>[];
  approvals_json: Json<ApprovalRow>[];
  drill_marks_json: Partial<Record<DrillMarker, string>>;
  verification_json: VerificationJson | null;
  keyed_json: (Omit<KeyedEvent, 'id'> & { id: number | string }) | null;
};

async function readRunRow(q: Queryable, runId: string, requestKey?: string): Promise<ReadRunRow | undefined> {
  return (await q.query<ReadRunRow>(READ_RUN, [runId, requestKey ?? null])).rows[0];
}

async function readRun(q: Queryable, runId: string): Promise<RunState | undefined> {
  const row = await readRunRow(q, runId);
  return row && runOf(row);
}

function runOf(row: ReadRunRow): RunState {
  const gates: GateRow[] = row.gates_json.map((g) => ({ ...g, done_at: maybeDate(g.done_at), opened_at: maybeDate(g.opened_at) }));
  const checks: CheckRow[] = row.checks_json.map((c) => ({ ...c, started_at: date(c.started_at), finished_at: date(c.finished_at) }));
  const approvals: ApprovalRow[] = row.approvals_json.map((a) => ({ ...a, created_at: date(a.created_at) }));
  const drillMarks = Object.fromEntries(Object.entries(row.drill_marks_json).map(([m, at]) => [m, date(at)])) as Partial<
    Record<DrillMarker, Date>
  >;
  const verification = verificationOf(row.verification_json);
  return {
    drillMarks,
    ...(verification ? { verification } : {}),
    id: row.id,
    channelId: row.channel_id,
    title: row.title,
    kind: row.kind,
    scenario: row.scenario ?? undefined,
    status: row.status,
    startedBy: row.started_by,
    startedAt: row.started_at,
    endedAt: row.ended_at ?? undefined,
    dashboardTs: row.dashboard_ts ?? undefined,
    version: row.version,
    environment: row.environment,
    gates: gates.map((g): GateState => {
      const pending = approvals.find((a) => a.gate === g.gate && a.kind === 'override');
      return {
        gate: g.gate,
        status: g.status,
        claimedBy: g.claimed_by ?? undefined,
        doneBy: g.done_by ?? undefined,
        doneAt: g.done_at ?? undefined,
        openedAt: g.opened_at ?? undefined,
        checklist: g.checklist,
        checks: checks
          .filter((c) => c.gate === g.gate)
          .map((c) => ({
            checkId: c.check_id,
            status: c.status,
            summary: c.summary,
            startedAt: c.started_at,
            finishedAt: c.finished_at,
            ...(c.findings && c.findings.length > 0 ? { findings: c.findings } : {}),
          })),
        confirmVotes: approvals
          .filter((a) => a.gate === g.gate && a.kind === 'confirm')
          .map((a) => ({ userId: a.requested_by, at: a.created_at })),
        override: pending
          ? { id: pending.id, requestedBy: pending.requested_by, reason: pending.reason ?? '', at: pending.created_at }
          : undefined,
      };
    }),
  };
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
