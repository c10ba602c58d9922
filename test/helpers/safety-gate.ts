// A recovery run brought straight to an open Safety gate, with one check's latest result recorded there: what the
// placement rule (remediation/placement.ts) needs to offer an action on the dashboard.
import { ACTION } from '../../src/blocks/ids.ts';
import type { Db } from '../../src/store/db.ts';
import { findRunId } from '../../src/store/runs.ts';
import { blocksOf, latestDashboard, type SlackCall, type TestBot } from './slack.ts';

export interface DashboardButton {
  action_id: string;
  value: string;
}

export interface SafetyCheck {
  id: string;
  status: 'pass' | 'fail';
  summary: string;
  findings: readonly string[];
}

/**
 * Start a run in `channel` as UALICE, confirm the gates before Safety (they have no checks here), open Safety with
 * `check` as its latest result, and return the run and the remediation buttons its dashboard now offers.
 */
export async function openSafetyGate(
  bot: TestBot,
  db: Db,
  calls: readonly SlackCall[],
  channel: string,
  title: string,
  check: SafetyCheck,
): Promise<{ runId: string; remedies: DashboardButton[] }> {
  await bot.command(`recover ${title}`, { channel_id: channel, user_id: 'UALICE' });
  await bot.bot.idle();
  const runId = (await findRunId(db, channel, 'active'))!;
  await db.query(
    `UPDATE gates SET status = 'confirmed', done_by = 'UALICE', done_at = now() WHERE run_id = $1 AND gate <> 'safety' AND gate <> 'resume'`,
    [runId],
  );
  await db.query(`UPDATE gates SET status = 'open', opened_at = now() WHERE run_id = $1 AND gate = 'safety'`, [runId]);
  await db.query(
    `INSERT INTO gate_checks (run_id, gate, check_id, status, summary, started_at, finished_at, findings)
     VALUES ($1, 'safety', $2, $3, $4, now(), now(), $5::jsonb)`,
    [runId, check.id, check.status, check.summary, JSON.stringify(check.findings)],
  );
  await db.query(`INSERT INTO deliveries (run_id, kind) VALUES ($1, 'dashboard')`, [runId]);
  await bot.bot.flushDeliveries();
  const remedies = blocksOf(latestDashboard(calls, channel))
    .flatMap((b) => (b.elements as DashboardButton[] | undefined) ?? [])
    .filter((e) => String(e.action_id).startsWith(`${ACTION.gateRemediate}:`));
  return { runId, remedies };
}

/** The revocation snapshot is stale: the finding the Gateway reload fixes. */
export const STALE_SNAPSHOT: SafetyCheck = {
  id: 'gateway.revocation',
  status: 'fail',
  summary: 'revocation snapshot stale',
  findings: ['snapshot_stale'],
};
