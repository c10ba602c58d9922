// Drives a recovery run in the sandbox (simulated Caracal + Slack emulation) with the bot's own buttons, as people
// would: commands and clicks go through the Slack workspace, faults through the simulated deployment.
import { expect } from 'vitest';
import pg from 'pg';
import { configFromObject } from '../../../src/config.ts';
import { startSandbox, type Sandbox } from '../../../src/sandbox/start.ts';
import type { SandboxMessage } from '../../../src/sandbox/slack/workspace-types.ts';
import type { JsonObject } from '../../../src/sandbox/slack/json.ts';
import { listEvents } from '../../../src/store/events.ts';
import { findRunId, loadRun } from '../../../src/store/runs.ts';
import { leaseRedisDb } from '../../helpers/redis.ts';
import type { Gate } from '../../../src/domain/gates.ts';

export const CHANNEL = 'C0INCIDENT';
const WAIT_MS = 120_000;

export interface Scenario {
  sandbox: Sandbox;
  /** The simulated Caracal's clock: advance it to compress an outage's minutes. */
  advance(ms: number): void;
  close(): Promise<void>;
}

/** A sandbox on a Redis database of its own (leased, released by close). */
export async function startScenario(): Promise<Scenario> {
  const redis = await leaseRedisDb();
  const redisUrl = redis.url;
  let offset = 0;
  const base = configFromObject({ checks: { readyAnswerTimeoutMs: 4000 }, slack: { reportUpdateIntervalMs: 200 } }, {});
  const sandbox = await startSandbox({
    base,
    env: {},
    port: 0,
    redisUrl,
    syncIntervalMs: 0,
    logDestination: { write: () => undefined },
    caracalNow: () => Date.now() + offset,
    redisErrorDelayMs: { api: 500, coordinator: 1500 },
  });
  return {
    sandbox,
    advance: (ms) => void (offset += ms),
    async close() {
      await sandbox.close();
      await redis.release();
    },
  };
}

export async function until<T>(read: () => Promise<T | undefined> | T | undefined, what: string, ms = WAIT_MS): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`not in time: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function elements(blocks: readonly JsonObject[] | undefined): JsonObject[] {
  return (blocks ?? []).flatMap((b) =>
    Array.isArray(b.elements) ? (b.elements as JsonObject[]) : b.accessory ? [b.accessory as JsonObject] : [],
  );
}

export class Run {
  constructor(
    private readonly s: Scenario,
    readonly runId: string,
  ) {}

  static async start(s: Scenario, title: string): Promise<Run> {
    await s.sandbox.slack.interact.command('U0ALICE', CHANNEL, `/caracal recover ${title}`);
    const runId = await until(() => findRunId(s.sandbox.db, CHANNEL, 'active'), 'run started');
    return new Run(s, runId);
  }

  dashboard(): SandboxMessage | undefined {
    return this.s.sandbox.slack.workspace.history(CHANNEL).find((m) => JSON.stringify(m.blocks ?? []).includes(this.runId));
  }

  async version(): Promise<number> {
    return (await loadRun(this.s.sandbox.db, this.runId))!.version;
  }

  /** Waits until the dashboard shows this run version (the bot re-renders it after every change). */
  async dashboardAt(version: number): Promise<SandboxMessage> {
    return until(() => {
      const d = this.dashboard();
      return d && JSON.stringify(d.blocks ?? []).includes(`_v${version}`) ? d : undefined;
    }, `dashboard at v${version}`);
  }

  async click(user: string, actionId: string, opts: { value?: string; selected?: string[] } = {}): Promise<void> {
    const d = await this.dashboardAt(await this.version());
    const ack = await this.s.sandbox.slack.interact.click(user, CHANNEL, d.ts, actionId, opts);
    expect(ack.sent, ack.error).toBe(true);
  }

  async gate(gate: Gate) {
    return (await loadRun(this.s.sandbox.db, this.runId))!.gates.find((g) => g.gate === gate)!;
  }

  async freeze(): Promise<void> {
    await this.click('U0ALICE', 'freeze_checklist', { selected: ['rollouts', 'policies', 'control'] });
    await until(async () => Object.keys((await this.gate('freeze')).checklist).length === 3, 'freeze ticked');
    await this.confirm('freeze');
  }

  /** Resume's unfreeze checklist: Bob restores what Freeze recorded and ticks each item. */
  async unfreeze(): Promise<void> {
    await this.click('U0BOB', 'freeze_checklist', { selected: ['rollouts', 'policies', 'control'] });
    await until(async () => Object.keys((await this.gate('resume')).checklist).length === 3, 'unfreeze ticked');
  }

  /** Safety's deep audit chain verification (the tamper sweep covers only recent rows); returns its outcome. */
  async verifyChain(): Promise<string> {
    // Its button sits under the audit.tamper finding, which shows once Safety's checks have run.
    if (!(await this.remedyButton('audit.verify_chain'))) await this.runChecks('safety');
    const outcome = await this.remediate('audit.verify_chain');
    expect(outcome).toMatch(/Succeeded.*All \d+ audit rows in \d+ zones verify/s);
    return outcome;
  }

  /** Run checks on the open gate and wait for their results. */
  async runChecks(gate: Gate): Promise<Map<string, { status: string; summary: string; findings?: readonly string[] }>> {
    const before = (await this.gate(gate)).checks.map((c) => c.startedAt.getTime());
    const since = Math.max(0, ...before);
    await this.click('U0ALICE', 'gate_run_checks');
    const checks = await until(async () => {
      const g = await this.gate(gate);
      return g.checks.length > 0 && g.checks.every((c) => c.startedAt.getTime() > since) ? g.checks : undefined;
    }, `checks of ${gate}`);
    return new Map(checks.map((c) => [c.checkId, c]));
  }

  async confirm(gate: Gate, user = 'U0ALICE'): Promise<void> {
    await this.click(user, 'gate_confirm');
    await until(async () => {
      const g = await this.gate(gate);
      return g.status === 'confirmed' || g.confirmVotes.some((v) => v.userId === user) || undefined;
    }, `${gate} confirmed by ${user}`);
  }

  /** The remediation button under a finding on the dashboard: its action id and value. */
  async remedyButton(action: string): Promise<{ actionId: string; value: string } | undefined> {
    const d = await this.dashboardAt(await this.version());
    const found = elements(d.blocks).find((e) => typeof e.action_id === 'string' && e.action_id.startsWith(`gate_remediate:${action}.`));
    return found ? { actionId: String(found.action_id), value: String(found.value) } : undefined;
  }

  /** Click a remediation under its finding; for an endpoint action, "Run it" on the clicker's card; wait for the outcome. */
  async remediate(action: string): Promise<string> {
    const button = await until(() => this.remedyButton(action), `${action} offered`);
    const d = await this.dashboardAt(await this.version());
    const eph = () => this.s.sandbox.slack.workspace.ephemeralsFor('U0ALICE', CHANNEL);
    const seen = eph().length;
    await this.s.sandbox.slack.interact.click('U0ALICE', CHANNEL, d.ts, button.actionId, { value: button.value });
    const card = await until(
      () =>
        eph()
          .slice(seen)
          .find((e) => !e.system),
      `${action} card`,
    );
    const run = elements(card.blocks).find((e) => e.action_id === 'remediate_run');
    if (!run) return JSON.stringify(card.blocks);
    await this.s.sandbox.slack.interact.click('U0ALICE', CHANNEL, card.ts, 'remediate_run');
    return until(() => {
      const now = this.s.sandbox.slack.workspace.ephemeral(card.ts);
      return now && /Succeeded|Failed|Partly/.test(now.text ?? '') ? now.text : undefined;
    }, `${action} outcome`);
  }

  /** A break-glass step: read the SQL from the card, run it as the DBA would, then "Done by me". */
  async breakGlass(action: string, dbaUrl: string): Promise<string> {
    const blocks = await this.remediate(action);
    const sql = /BEGIN;.*COMMIT;/s.exec(blocks.replace(/\\n/g, '\n'))?.[0];
    const update = /UPDATE public\.event_outbox[^;]*;/.exec(blocks)?.[0];
    expect(update, blocks).toBeDefined();
    const dba = new pg.Client({ connectionString: dbaUrl });
    await dba.connect();
    await dba.query(update!);
    await dba.end();
    const card = this.s.sandbox.slack.workspace.ephemeralsFor('U0ALICE', CHANNEL).at(-1)!;
    await this.s.sandbox.slack.interact.click('U0ALICE', CHANNEL, card.ts, 'break_glass_done');
    await until(
      async () =>
        (await listEvents(this.s.sandbox.db, this.runId)).some(
          (e) => e.type === 'action_run' && (e.data as { action?: string }).action === action,
        ),
      `${action} recorded`,
    );
    return sql ?? update!;
  }

  thread(): string {
    const d = this.dashboard();
    return d
      ? this.s.sandbox.slack.workspace
          .replies(CHANNEL, d.ts)
          .map((m) => m.text ?? '')
          .join('\n')
      : '';
  }
}
