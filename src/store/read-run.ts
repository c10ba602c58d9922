// Reading a recovery run: the run and everything a decision needs of it in one query (READ_RUN), as of one
// instant (loadRun) or under the run's lock (lockAndReadRun). Writing is runs.ts.
import type { CheckStatus } from '../domain/check-result.ts';
import type { FreezeItem, Gate } from '../domain/gates.ts';
import type { DrillMarker, GateState, GateStatus, RunState } from '../domain/run.ts';
import type { Db, Queryable } from './db.ts';
import { lockRunLog } from './events.ts';
import { eventsWithKey, type KeyedEvent } from './request-keys.ts';
import { VERIFICATION_JSON, verificationOf, type VerificationJson } from './verifications.ts';

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
