// A recovery run at an open Safety gate whose dashboard offers "Verify audit chain (deep)": the set-up every test
// of the deep verification's guard (one at a time, progress, cancel) starts from.
import type { Db } from '../../src/store/db.ts';
import { openSafetyGate } from './safety-gate.ts';
import type { SlackCall, TestBot } from './slack.ts';

export interface VerifyButton {
  runId: string;
  action_id: string;
  value: string;
}

/** Start a run in `channel` as UALICE, open its Safety gate, and return the dashboard's verification button. */
export async function safetyVerifyButton(bot: TestBot, db: Db, calls: readonly SlackCall[], channel: string): Promise<VerifyButton> {
  // The tamper counters' latest result: the placement offers the deep verification next to it, passing or not.
  const { runId, remedies } = await openSafetyGate(bot, db, calls, channel, 'tamper', {
    id: 'audit.tamper',
    status: 'pass',
    summary: 'no tamper findings',
    findings: [],
  });
  const verify = remedies.find((e) => String(e.value).includes('audit.verify_chain'))!;
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
