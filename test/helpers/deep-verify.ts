// A recovery run at an open Safety gate whose dashboard offers "Verify audit chain (deep)": the set-up every test
// of the deep verification's guard (one at a time, progress, cancel) starts from.
import { ACTION } from '../../src/blocks/ids.ts';
import type { Db } from '../../src/store/db.ts';
import { findRunId } from '../../src/store/runs.ts';
import { blocksOf, type SlackCall, type TestBot } from './slack.ts';

export interface VerifyButton {
  runId: string;
  action_id: string;
  value: string;
}

/** Start a run in `channel` as UALICE, open its Safety gate, and return the dashboard's verification button. */
export async function safetyVerifyButton(bot: TestBot, db: Db, calls: readonly SlackCall[], channel: string): Promise<VerifyButton> {
  await bot.command('recover tamper', { channel_id: channel, user_id: 'UALICE' });
  await bot.bot.idle();
  const runId = (await findRunId(db, channel, 'active'))!;
  await db.query(
    `UPDATE gates SET status = 'confirmed', done_by = 'UALICE', done_at = now() WHERE run_id = $1 AND gate <> 'safety' AND gate <> 'resume'`,
    [runId],
  );
  await db.query(`UPDATE gates SET status = 'open', opened_at = now() WHERE run_id = $1 AND gate = 'safety'`, [runId]);
  // The tamper counters' latest result: the placement offers the deep verification next to it, passing or not.
  await db.query(
    `INSERT INTO gate_checks (run_id, gate, check_id, status, summary, started_at, finished_at, findings)
     VALUES ($1, 'safety', 'audit.tamper', 'pass', 'no tamper findings', now(), now(), '[]')`,
    [runId],
  );
  await db.query(`INSERT INTO deliveries (run_id, kind) VALUES ($1, 'dashboard')`, [runId]);
  await bot.bot.flushDeliveries();
  const dashboard = calls
    .filter((c) => (c.method === 'chat.update' || (c.method === 'chat.postMessage' && !c.body.thread_ts)) && c.body.channel === channel)
    .at(-1)!;
  const verify = blocksOf(dashboard)
    .flatMap((b) => (b.elements as { action_id: string; value: string }[] | undefined) ?? [])
    .find((e) => String(e.action_id).startsWith(`${ACTION.gateRemediate}:`) && String(e.value).includes('audit.verify_chain'))!;
  return { runId, action_id: verify.action_id, value: verify.value };
}

/** Wait until `predicate` holds, polling every 20 ms, or fail after `ms`. */
export async function until(predicate: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
