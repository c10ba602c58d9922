// Drives a recovery run in the sandbox the way people do: slash commands and clicks on the bot's own messages,
// through the sandbox's Slack (signed requests to the bot), no browser. For the recovery scenario tests.
import { expect } from 'vitest';
import { configFromObject } from '../../src/config.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/start.ts';
import type { SandboxMessage } from '../../src/sandbox/slack/workspace-types.ts';
import { leaseRedisDb, type LeasedRedis } from './redis.ts';

export const CHANNEL = 'C0INCIDENT';
const WAIT_MS = 60_000;

export async function until<T>(what: string, read: () => T | undefined | Promise<T | undefined>, ms = WAIT_MS): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    // A read between two renders of a message may find nothing: that is "not yet", not a failure.
    const value = await Promise.resolve()
      .then(read)
      .catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface RecoveryDriver {
  sandbox: Sandbox;
  dashboard(): SandboxMessage;
  thread(): SandboxMessage[];
  gateText(gate: string): string;
  command(user: string, text: string): Promise<void>;
  click(user: string, actionId: string, options?: { text?: string; selected?: string[] }): Promise<void>;
  runChecks(gate: string, user?: string): Promise<string>;
  confirm(gate: string, user?: string): Promise<void>;
  /** Click a remediation button of the open gate, then "Run it" on the clicker's card; returns its outcome text. */
  remediate(user: string, actionId: string, title: string): Promise<string>;
  close(): Promise<void>;
}

const flat = (blocks: unknown): string => JSON.stringify(blocks);

export async function startRecoveryDriver(title: string): Promise<RecoveryDriver> {
  const redis: LeasedRedis = await leaseRedisDb();
  // The bot's own HTTP timeout: a shorter one turns a loaded machine's slow answer into a finding the test never expects.
  const base = configFromObject({ slack: { reportUpdateIntervalMs: 100, postIntervalMs: 0 } }, {});
  const sandbox = await startSandbox({
    base,
    env: {},
    port: 0,
    redisUrl: redis.url,
    syncIntervalMs: 300,
    logDestination: { write: () => undefined },
  });
  const ws = sandbox.slack.workspace;
  const find = () => ws.history(CHANNEL).find((m) => m.botId !== undefined && m.blocks.some((b) => flat(b).includes(`Recovery: ${title}`)));
  const dashboard = () => {
    const d = find();
    if (!d) throw new Error('no dashboard');
    return d;
  };
  // A gate's own sections, its checklist, and its findings drawn with their remediation buttons.
  const ofGate = (id: string, gate: string) =>
    [`gate_${gate}_v`, `gate_${gate}|`, `finding_${gate}_`, `remediate_${gate}_`].some((p) => id.startsWith(p));
  const gateText = (gate: string) =>
    dashboard()
      .blocks.filter((b) => typeof b.block_id === 'string' && ofGate(b.block_id, gate))
      .map(flat)
      .join('\n');
  // A remediation button carries the finding it fixes in its action id: `gate_remediate:<action>.<check>`.
  const remedyActionId = (action: string) =>
    dashboard()
      .blocks.flatMap((b) => (Array.isArray(b.elements) ? (b.elements as { action_id?: string }[]) : []))
      .map((e) => e.action_id ?? '')
      .find((id) => id.startsWith(`gate_remediate:${action}.`));
  const driver: RecoveryDriver = {
    sandbox,
    dashboard,
    thread: () => ws.replies(CHANNEL, dashboard().ts).filter((m) => m.ts !== dashboard().ts),
    gateText,
    async command(user, text) {
      const ack = await sandbox.slack.interact.command(user, CHANNEL, text);
      expect(ack.status).toBe(200);
    },
    async click(user, actionId, options = {}) {
      const ack = await sandbox.slack.interact.click(user, CHANNEL, dashboard().ts, actionId, options);
      // On a loaded machine the ack can miss Slack's 3 s: Slack still delivered the click, the bot still acts on it.
      if (ack.error !== 'operation_timeout') expect([actionId, ack.status, ack.error]).toEqual([actionId, 200, undefined]);
    },
    async runChecks(gate, user = 'U0ALICE') {
      const before = gateText(gate);
      await driver.click(user, 'gate_run_checks');
      return until(`checks recorded on ${gate}`, () => {
        const now = gateText(gate);
        return now !== before && !now.includes('No checks run yet') && !now.includes('running') ? now : undefined;
      });
    },
    async confirm(gate, user = 'U0ALICE') {
      await driver.click(user, 'gate_confirm');
      await until(`${gate} confirmed by ${user}`, () => gateText(gate).includes('· confirmed') || gateText(gate).includes(`<@${user}>`));
    },
    async remediate(user, actionId, titleText) {
      const id = await until(`${actionId} offered`, () => remedyActionId(actionId));
      await driver.click(user, id, { text: titleText });
      const card = await until(`the ${actionId} card`, () =>
        ws.ephemeralsFor(user, CHANNEL).find((e) => flat(e.blocks).includes('remediate_run')),
      );
      const ack = await sandbox.slack.interact.click(user, CHANNEL, card.ts, 'remediate_run');
      expect(ack.status).toBe(200);
      return until(`the ${actionId} outcome`, () => {
        const now = ws.ephemeral(card.ts);
        const text = now ? `${now.text}\n${flat(now.blocks)}` : '';
        return now && !flat(now.blocks).includes('remediate_run') && !/Running/.test(text) ? text : undefined;
      });
    },
    async close() {
      await sandbox.close();
      await redis.release();
    },
  };
  return driver;
}
