// Issue 17 scheduler tests: bots on one real Postgres state database, a clock the test moves, checks whose outcome
// the test sets, and the Slack Web API captured through nock.
import nock from 'nock';
import type { CheckDefinition } from '../../src/checks/types.ts';
import type { Gate } from '../../src/domain/gates.ts';
import type { Verdict } from '../../src/domain/check-result.ts';
import { ACTION } from '../../src/blocks/ids.ts';
import { encodePayload, gateButtonPayload } from '../../src/blocks/payloads.ts';
import type { Db } from '../../src/store/db.ts';
import { findRunId } from '../../src/store/runs.ts';
import { fakeContext, runClick, startTestBot, type SlackCall, type TestBot } from '../helpers/slack.ts';
import { testConfig } from '../helpers/check-context.ts';

export const START = Date.parse('2026-11-30T03:00:00Z');
export const MIN = 60_000;

export interface Clock {
  now: () => Date;
  advance(ms: number): void;
}

export function testClock(start = START): Clock {
  let t = start;
  return { now: () => new Date(t), advance: (ms) => void (t += ms) };
}

/** Checks of the Storage gate whose verdicts the test sets; `calls` counts their runs, `hold` blocks the next one. */
export function controllableChecks(ids: readonly string[], gate: Gate = 'storage') {
  const verdicts = new Map<string, Verdict>(ids.map((id) => [id, 'fail']));
  let calls = 0;
  let held: { reached: boolean; release: () => void; wait: Promise<void> } | undefined;
  const checks: CheckDefinition[] = ids.map((id) => ({
    id,
    title: id,
    gates: [gate],
    reads: 'the test',
    async run() {
      calls++;
      if (held && !held.reached) {
        held.reached = true;
        await held.wait;
      }
      const status = verdicts.get(id) ?? 'fail';
      return { status, summary: `${id} says ${status}` };
    },
  }));
  return {
    checks,
    set: (id: string, v: Verdict) => verdicts.set(id, v),
    calls: () => calls,
    /** The next check run stops inside its first check until `release()` (a replica dying mid-job). */
    hold() {
      let release = () => undefined as void;
      const wait = new Promise<void>((r) => (release = r));
      held = { reached: false, release, wait };
      return { reached: () => held?.reached === true, release };
    },
  };
}

export const APPROVERS = ['UALICE', 'UBOB'];

export async function schedulerBot(
  db: Db,
  clock: Clock,
  checks: readonly CheckDefinition[],
  file: Record<string, unknown> = {},
): Promise<TestBot> {
  const config = testConfig({});
  return startTestBot({
    db,
    checks,
    file: { recovery: { approvers: { users: APPROVERS }, startRuns: 'anyone' }, schedules: { pollSeconds: 3600 }, ...file },
    deps: { now: clock.now, checkContext: { ...fakeContext(config), now: clock.now } },
  });
}

/** Start a run in `channel` and walk it to `gate` open (Freeze confirmed), with `claimant` holding it. */
export async function runAtGate(
  bot: TestBot,
  db: Db,
  channel: string,
  claimant: string,
  clock: Clock,
  gate: Gate = 'storage',
): Promise<string> {
  await bot.command('recover scheduler test', { channel_id: channel, user_id: 'UALICE' });
  await bot.bot.idle();
  await bot.bot.flushDeliveries();
  const runId = (await findRunId(db, channel, 'active'))!;
  // Freeze is a checklist (tested elsewhere): confirmed here directly, so each test starts where it matters.
  await db.query(`UPDATE gates SET status = 'confirmed', done_by = 'UALICE', done_at = $2 WHERE run_id = $1 AND gate = 'freeze'`, [
    runId,
    clock.now(),
  ]);
  await db.query(`UPDATE gates SET status = 'open', opened_at = $3 WHERE run_id = $1 AND gate = $2`, [runId, gate, clock.now()]);
  await db.query(`UPDATE runs SET version = version + 1 WHERE id = $1`, [runId]);
  await bot.action(
    await runClick(db, runId, ACTION.gateClaim, encodePayload(gateButtonPayload, { v: 1, runId, gate }), { user: claimant }),
  );
  await settle(bot);
  return runId;
}

export async function settle(...bots: TestBot[]): Promise<void> {
  for (const b of bots) await b.bot.idle();
  for (const b of bots) await b.bot.flushDeliveries();
}

/** Thread replies posted in `channel` whose text contains `needle`. */
export function threadPosts(calls: readonly SlackCall[], channel: string, needle: string): SlackCall[] {
  return calls.filter(
    (c) => c.method === 'chat.postMessage' && c.body.channel === channel && c.body.thread_ts && String(c.body.text).includes(needle),
  );
}

/** Deliver on every replica until `done` holds (a delivery lease may be held by the other replica for a moment). */
export async function deliverUntil(done: () => boolean, ...bots: TestBot[]): Promise<void> {
  const end = Date.now() + 15_000;
  while (!done()) {
    if (Date.now() > end) throw new Error('not delivered in time');
    for (const b of bots) await b.bot.flushDeliveries();
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The commands' ephemeral answers go to their response_url: accepted, like Slack does. */
export function acceptResponseUrls(): void {
  nock('https://hooks.slack.com').persist().post(/.*/).reply(200, 'ok');
}
