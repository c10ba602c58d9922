// Walks a recovery run in the sandbox the way people do it: slash commands, clicks and modal submissions through the
// sandbox's Slack emulation (signed requests to the real bot), against the simulated Caracal. Shared by the residue
// and tamper scenarios (issue 12, d and e).
import { expect } from 'vitest';
import { configFromObject } from '../../../src/config.ts';
import type { SandboxMessage } from '../../../src/sandbox/slack/workspace-types.ts';
import { startSandbox, type Sandbox } from '../../../src/sandbox/start.ts';
import { leaseRedisDb, type LeasedRedis } from '../../helpers/redis.ts';
import { waitFor } from '../../helpers/slack.ts';

export const CHANNEL = 'C0INCIDENT';
export const ALICE = 'U0ALICE';
export const BOB = 'U0BOB';

type Element = { action_id?: string; value?: string; text?: { text?: string } };
type Block = { type: string; block_id?: string; text?: { text?: string }; elements?: Element[]; accessory?: Element };

export interface Walk {
  sandbox: Sandbox;
  redis: LeasedRedis;
  settle(): Promise<void>;
  dashboard(title: string): SandboxMessage;
  /** Every action id on a message (accessories included). */
  actionIds(m: Pick<SandboxMessage, 'blocks'>): string[];
  click(user: string, ts: string, actionId: string, opts?: { selected?: string[] }): Promise<void>;
  threadText(title: string): string;
  close(): Promise<void>;
}

export async function startWalk(): Promise<Walk> {
  const redis = await leaseRedisDb();
  const base = configFromObject({ checks: { httpTimeoutMs: 3000 }, slack: { reportUpdateIntervalMs: 200 } }, {});
  const sandbox = await startSandbox({
    base,
    env: {},
    port: 0,
    redisUrl: redis.url,
    syncIntervalMs: 500,
    logDestination: { write: () => undefined },
  });
  const settle = async () => {
    await sandbox.bot.idle();
    await sandbox.bot.flushDeliveries();
  };
  const dashboard = (title: string) => {
    const found = sandbox.slack.workspace
      .history(CHANNEL)
      .filter((m) => !m.threadTs && JSON.stringify(m.blocks).includes(`Recovery: ${title}`))
      .at(-1);
    if (!found) throw new Error(`no dashboard for ${title}`);
    return found;
  };
  const actionIds = (m: Pick<SandboxMessage, 'blocks'>) =>
    (m.blocks as Block[])
      .flatMap((b) => [...(b.elements ?? []), ...(b.accessory ? [b.accessory] : [])])
      .flatMap((e) => (e.action_id ? [e.action_id] : []));
  return {
    sandbox,
    redis,
    settle,
    dashboard,
    actionIds,
    async click(user, ts, actionId, opts = {}) {
      const ack = await sandbox.slack.interact.click(user, CHANNEL, ts, actionId, opts.selected ? { selected: opts.selected } : {});
      expect(ack.error, `click ${actionId}`).toBeUndefined();
      await settle();
    },
    threadText(title) {
      const parent = dashboard(title);
      return sandbox.slack.workspace
        .replies(CHANNEL, parent.ts)
        .map((m) => `${m.text ?? ''}\n${JSON.stringify(m.blocks)}`)
        .join('\n');
    },
    async close() {
      await sandbox.close();
      await redis.release();
    },
  };
}

/** Start a run, tick Freeze, and confirm Freeze, Storage and Services with Alice (each after a green check run). */
export async function startAndWalkToEvidence(w: Walk, title: string): Promise<void> {
  expect((await w.sandbox.slack.interact.command(ALICE, CHANNEL, `/caracal recover ${title}`)).error).toBeUndefined();
  await waitFor(
    () => w.sandbox.slack.workspace.history(CHANNEL).some((m) => JSON.stringify(m.blocks).includes(`Recovery: ${title}`)),
    30_000,
  );
  await w.settle();
  await w.click(ALICE, w.dashboard(title).ts, 'freeze_checklist', { selected: ['rollouts', 'policies', 'control'] });
  await confirmGate(w, title, 'freeze', ALICE);
  for (const gate of ['storage', 'services']) {
    await runChecks(w, title);
    await confirmGate(w, title, gate, ALICE);
  }
}

export async function runChecks(w: Walk, title: string): Promise<void> {
  await w.click(ALICE, w.dashboard(title).ts, 'gate_run_checks');
}

/** Confirm the open gate; the gate must then show as confirmed (or, at Resume, the run as resumed after two). */
export async function confirmGate(w: Walk, title: string, gate: string, user: string): Promise<void> {
  await w.click(user, w.dashboard(title).ts, 'gate_confirm');
  const text = JSON.stringify(w.dashboard(title).blocks);
  if (gate !== 'resume') expect(text, `${gate} confirmed: ${refusals(w, user)}`).toMatch(new RegExp(`\\d\\. [^*]*\\* · confirmed[^"]*`));
}

/** What the bot told one person ephemerally, newest last (refusals, cards). */
export function refusals(w: Walk, user: string): string {
  return w.sandbox.slack.workspace
    .ephemeralsFor(user, CHANNEL)
    .map((e) => e.text ?? '')
    .join('\n');
}
