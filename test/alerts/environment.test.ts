// Issue 17 item 6 for alerts: a group whose alerts carry `environment` (or `cluster`, `alerts.environmentLabels`)
// naming a configured environment belongs to it: its message says so, "Run these checks" checks that deployment and
// "Start recovery run" recovers it. Without such a label, or with one naming no environment, it is the channel's
// default, and the message says why.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/blocks/ids.ts';
import type { CheckDefinition } from '../../src/checks/types.ts';
import type { Db } from '../../src/store/db.ts';
import { findRunId, loadRun } from '../../src/store/runs.ts';
import { settleAlerts, startBotOnState, type BotOnState } from '../helpers/bot-on-state.ts';
import { blocksOf, buttonClick, type SlackCall, type TestBot } from '../helpers/slack.ts';
import { ALERT_TOKEN, notification, postNotification } from './notifications.ts';

type Element = { action_id?: string; value: string };
const elements = (blocks: Record<string, unknown>[]) => blocks.flatMap((b) => (b.elements as Element[] | undefined) ?? []);

/** audit.dlq confirms the DLQ alerts; it says which Postgres it was pointed at (the environment's own target). */
const where: CheckDefinition = {
  id: 'audit.dlq',
  title: 'Which deployment',
  gates: ['evidence'],
  reads: 'the configured Postgres URL',
  run: (ctx) => Promise.resolve({ status: 'pass', summary: `checked ${ctx.caracal.postgres.url ?? 'the default'}` }),
};

describe('alert groups belong to an environment (issue 17 item 6)', () => {
  let state: { db: Db; drop(): Promise<void> };
  let bot: TestBot;
  let calls: SlackCall[];

  let t: BotOnState<unknown>;

  beforeAll(async () => {
    t = await startBotOnState({
      checks: [where],
      file: {
        caracal: { postgres: { url: 'postgres://prod.example/caracal' } },
        environments: { staging: { caracal: { postgres: { url: 'postgres://staging.example/caracal' } }, channels: ['C0STAGE'] } },
        alerts: { channel: 'C0OPS', updateIntervalMs: 50, routes: [{ receiver: 'caracal-staging', channel: 'C0STAGE' }] },
        recovery: { approvers: { users: ['UALICE'] }, startRuns: 'anyone' },
      },
      env: { ALERTMANAGER_WEBHOOK_TOKEN: ALERT_TOKEN },
    });
    ({ state, bot, calls } = t);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await state.db.exec(`UPDATE runs SET status = 'cancelled' WHERE status = 'active'`);
  });
  const settle = () => settleAlerts(bot);
  const groupPost = (groupText: string) => calls.find((c) => c.method === 'chat.postMessage' && String(c.body.blocks).includes(groupText))!;
  const button = (post: SlackCall, actionId: string) => elements(blocksOf(post)).find((e) => e.action_id === actionId)!;
  const lastReport = async (channel: string) =>
    (
      await state.db.query<{ environment: string; summary: string }>(
        `SELECT environment, view->'results'->0->>'summary' AS summary FROM reports WHERE channel_id = $1 AND complete ORDER BY created_at DESC LIMIT 1`,
        [channel],
      )
    ).rows.map((r) => [r.environment, r.summary])[0];

  it("takes the environment from the alerts' label: the message names it, the buttons check and recover it", async () => {
    await postNotification(
      bot.url,
      notification([{ name: 'CaracalAuditDLQNonEmpty', labels: { environment: 'staging', pod: 'audit-0' } }], { groupKey: 'g-staging' }),
    );
    await settle();
    const post = groupPost('CaracalAuditDLQNonEmpty');
    expect(post.body.channel).toBe('C0OPS');
    expect(String(post.body.blocks)).toContain('environment `staging` (label environment)');
    expect(JSON.parse(button(post, ACTION.alertRunChecks).value)).toEqual({ v: 2, alerts: ['CaracalAuditDLQNonEmpty'], env: 'staging' });
    await bot.action(
      buttonClick(ACTION.alertRunChecks, button(post, ACTION.alertRunChecks).value, {
        user: 'UALICE',
        channel: 'C0OPS',
        messageTs: String(post.reply.ts),
      }),
    );
    await settle();
    expect(await lastReport('C0OPS')).toEqual(['staging', 'checked postgres://staging.example/caracal']);
    await bot.action(
      buttonClick(ACTION.alertStartRecovery, button(post, ACTION.alertStartRecovery).value, {
        user: 'UALICE',
        channel: 'C0OPS',
        messageTs: String(post.reply.ts),
      }),
    );
    await settle();
    expect((await loadRun(state.db, (await findRunId(state.db, 'C0OPS', 'active'))!))!.environment).toBe('staging');
  });

  it("falls back to the channel's default environment when no label names one, and says why", async () => {
    // Routed to #stage, whose default is staging; `cluster` names no configured environment.
    await postNotification(
      bot.url,
      notification([{ name: 'CaracalAuditDLQGrowth', labels: { cluster: 'eu-west-1' } }], {
        groupKey: 'g-cluster',
        receiver: 'caracal-staging',
      }),
    );
    await settle();
    const post = groupPost('CaracalAuditDLQGrowth');
    expect(post.body.channel).toBe('C0STAGE');
    expect(String(post.body.blocks)).toContain(
      "environment `staging` (the channel's default: cluster=eu-west-1 is not a configured environment)",
    );
    await bot.action(
      buttonClick(ACTION.alertRunChecks, button(post, ACTION.alertRunChecks).value, {
        user: 'UALICE',
        channel: 'C0STAGE',
        messageTs: String(post.reply.ts),
      }),
    );
    await settle();
    expect(await lastReport('C0STAGE')).toEqual(['staging', 'checked postgres://staging.example/caracal']);
  });

  it("a button posted before environments (v1) uses the channel's default", async () => {
    const v1 = JSON.stringify({ v: 1, alerts: ['CaracalAuditDLQNonEmpty'] });
    await bot.action(buttonClick(ACTION.alertStartRecovery, v1, { user: 'UALICE', channel: 'C0STAGE' }));
    await settle();
    expect((await loadRun(state.db, (await findRunId(state.db, 'C0STAGE', 'active'))!))!.environment).toBe('staging');
  });
});
