import { eventOf } from '../helpers/events.ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/blocks/ids.ts';
import { encodePayload, gateButtonPayload } from '../../src/blocks/payloads.ts';
import type { CheckDefinition } from '../../src/checks/types.ts';
import { summarize } from '../../src/recovery/summary.ts';
import type { Db } from '../../src/store/db.ts';
import { listEvents } from '../../src/store/events.ts';
import { findRunId } from '../../src/store/runs.ts';
import { settleAlerts, startBotOnState, type BotOnState } from '../helpers/bot-on-state.ts';
import { blocksOf, buttonClick, runClick, type SlackCall, type TestBot } from '../helpers/slack.ts';
import { ALERT_TOKEN, notification, postNotification } from './notifications.ts';

type Element = { action_id: string; value: string; text: { text: string } };
const elements = (blocks: Record<string, unknown>[]) =>
  blocks.flatMap((b) => (b.elements as Element[] | undefined) ?? []).filter((e) => typeof e.action_id === 'string');
const green = (id: string): CheckDefinition => ({
  id,
  title: id,
  gates: ['evidence'],
  reads: '-',
  run: () => Promise.resolve({ status: 'pass', summary: `${id} ok` }),
});

describe('runs know their alerts', () => {
  let state: { db: Db; drop(): Promise<void> };
  let bot: TestBot;
  let calls: SlackCall[];
  let answers: unknown[];
  let t: BotOnState<unknown>;

  beforeAll(async () => {
    t = await startBotOnState({
      checks: [],
      file: {
        alerts: { channel: 'C0OPS', updateIntervalMs: 50 },
        recovery: { approvers: { users: ['UALICE', 'UBOB', 'U0ALICE'] }, drillChannels: ['C0OPS'] },
      },
      env: { ALERTMANAGER_WEBHOOK_TOKEN: ALERT_TOKEN },
    });
    ({ state, bot, calls, answers } = t);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await state.db.exec(`UPDATE runs SET status = 'cancelled' WHERE status = 'active'`);
  });
  const settle = () => settleAlerts(bot);
  const dashboard = () =>
    blocksOf(
      calls
        .filter(
          (c) =>
            !c.body.thread_ts &&
            (c.method === 'chat.update' || c.method === 'chat.postMessage') &&
            String(c.body.text).includes('Recovery run'),
        )
        .at(-1)!,
    );
  /** A click on the alert group message (messageTs) or on the channel's run dashboard. */
  const click = async (actionId: string, value: string, user = 'UALICE', messageTs?: string) => {
    const runId = await findRunId(state.db, 'C0OPS', 'active');
    await bot.action(
      messageTs || !runId
        ? buttonClick(actionId, value, { user, ...(messageTs ? { messageTs } : {}) })
        : await runClick(state.db, runId, actionId, value, { user }),
    );
    await settle();
  };

  it('a drill records "alert fired" by itself with TTD from startsAt, and its dashboard and timeline show the alert', async () => {
    await bot.command('drill redis-outage');
    await settle();
    const runId = (await findRunId(state.db, 'C0OPS', 'active'))!;
    const inject = elements(dashboard()).find((e) => e.action_id.startsWith(ACTION.drillMark) && e.text.text === 'Fault injected')!;
    await click(ACTION.drillMark, inject.value, 'UEVE');
    const injectedAt = (await listEvents(state.db, runId)).find((e) => e.type === 'drill_marker')!.at;
    const startsAt = new Date(injectedAt.getTime() + 42_000).toISOString();

    // An alert the drill does not expect (Redis loss does not raise consumer lag, §15.2.10) detects nothing.
    await postNotification(
      bot.url,
      notification([{ name: 'CaracalAuditConsumerLagHigh', startsAt: new Date(injectedAt.getTime() + 10_000).toISOString() }], {
        groupKey: 'g-other',
      }),
    );
    await postNotification(bot.url, notification([{ name: 'CaracalGatewayAuditReplayBacklogOld', startsAt }], { groupKey: 'g-lag' }));
    await postNotification(bot.url, notification([{ name: 'CaracalGatewayAuditReplayBacklogOld', startsAt }], { groupKey: 'g-lag' })); // a repeat
    await settle();
    const events = await listEvents(state.db, runId);
    expect(events.filter((e) => e.type === 'drill_marker').map((e) => [e.data.marker, e.actor])).toEqual([
      ['injected', 'UEVE'],
      ['alert_fired', 'Alertmanager'],
    ]);
    expect(summarize(events).drill.timeToDetectMs).toBe(42_000);
    expect(events.filter((e) => e.type === 'alert_firing')).toHaveLength(2);
    const card = JSON.stringify(dashboard());
    expect(card).toContain('Firing Caracal alerts');
    expect(card).toContain('CaracalGatewayAuditReplayBacklogOld');

    await postNotification(
      bot.url,
      notification(
        [
          {
            name: 'CaracalGatewayAuditReplayBacklogOld',
            startsAt,
            status: 'resolved',
            endsAt: new Date(Date.parse(startsAt) + 60_000).toISOString(),
          },
        ],
        { groupKey: 'g-lag' },
      ),
    );
    await settle();
    const firingSection = JSON.stringify(dashboard().filter((b) => String(b.block_id).startsWith('run_alerts')));
    expect(firingSection).not.toContain('CaracalGatewayAuditReplayBacklogOld');
    expect(firingSection).toContain('CaracalAuditConsumerLagHigh');
    await bot.command('timeline');
    await bot.bot.idle();
    const markdown = calls
      .filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.postEphemeral')
      .map((c) => `${String(c.body.text)}\n${JSON.stringify(c.body.blocks ?? '')}`)
      .join('\n');
    expect(markdown).toContain(
      `Alert *CaracalGatewayAuditReplayBacklogOld* (warning) firing since ${startsAt.slice(0, 19).replace('T', ' ')} UTC`,
    );
    expect(markdown).toContain('Alert *CaracalGatewayAuditReplayBacklogOld* (warning) resolved at');
    expect(markdown).toContain('time to detect (TTD): 42s');
  });

  it('Resume warns while a critical alert fires and needs both approvers to acknowledge it', async () => {
    await bot.command('recover resume test');
    await settle();
    const runId = (await findRunId(state.db, 'C0OPS', 'active'))!;
    const value = (gate: string) => encodePayload(gateButtonPayload, { v: 1, runId, gate: gate as 'resume' });
    for (const item of ['rollouts', 'policies', 'control']) {
      const tick = await runClick(state.db, runId, ACTION.freezeChecklist, '', { user: 'UALICE' });
      (tick.actions as unknown[])[0] = {
        type: 'checkboxes',
        action_id: ACTION.freezeChecklist,
        block_id: `gate_freeze|v1|${value('freeze')}`,
        action_ts: '1',
        selected_options: ['rollouts', 'policies', 'control']
          .slice(0, ['rollouts', 'policies', 'control'].indexOf(item) + 1)
          .map((v) => ({ value: v, text: { type: 'mrkdwn', text: v } })),
      };
      await bot.action(tick);
      await settle();
    }
    for (const gate of ['freeze', 'storage', 'services', 'evidence', 'safety']) await click(ACTION.gateConfirm, value(gate));
    // Resume's unfreeze checklist: each item Freeze recorded, ticked as it is restored.
    const unfreeze = (dashboard() as { block_id?: string; accessory?: { action_id?: string } }[]).find(
      (b) => b.accessory?.action_id === ACTION.freezeChecklist,
    )!;
    const untick = await runClick(state.db, runId, ACTION.freezeChecklist, '', { user: 'UALICE' });
    (untick.actions as unknown[])[0] = {
      type: 'checkboxes',
      action_id: ACTION.freezeChecklist,
      block_id: unfreeze.block_id,
      action_ts: '2',
      selected_options: ['rollouts', 'policies', 'control'].map((v) => ({ value: v, text: { type: 'mrkdwn', text: v } })),
    };
    await bot.action(untick);
    await settle();
    await postNotification(bot.url, notification([{ name: 'CaracalGatewayRevocationSnapshotStale' }], { groupKey: 'g-stale' }));
    await settle();
    const card = dashboard();
    expect(JSON.stringify(card)).toContain('Resume while critical alerts fire');
    const ack = elements(card).find((e) => e.action_id === ACTION.resumeAcknowledge)!;

    await click(ACTION.gateConfirm, value('resume'), 'UALICE');
    expect(JSON.stringify(answers.at(-1))).toContain('Critical Caracal alerts are still firing: CaracalGatewayRevocationSnapshotStale');
    await click(ACTION.resumeAcknowledge, ack.value, 'UALICE');
    await click(ACTION.gateConfirm, value('resume'), 'UBOB');
    expect(JSON.stringify(answers.at(-1))).toContain('Each Resume approver must acknowledge');
    await click(ACTION.resumeAcknowledge, ack.value, 'UBOB');
    const events = await listEvents(state.db, runId);
    expect(events.map((e) => e.type)).toContain('run_resumed');
    expect(eventOf(events, 'confirm_vote', 'resume').data.acknowledgedAlerts).toEqual(['CaracalGatewayRevocationSnapshotStale']);
    expect(eventOf(events, 'gate_confirmed', 'resume').data.acknowledgedAlerts).toEqual(['CaracalGatewayRevocationSnapshotStale']);
    expect(events.filter((e) => e.type === 'denied')).toHaveLength(2);
  });

  it('"Start recovery run" on a group message starts a run titled after the alert, linked to the message', async () => {
    await postNotification(bot.url, notification([{ name: 'CaracalAuditDLQGrowth' }], { groupKey: 'g-growth' }));
    // The group message is delivered by its own queue: on a loaded machine it may take more than one flush.
    const posted = () => calls.find((c) => c.method === 'chat.postMessage' && String(c.body.text).includes('CaracalAuditDLQGrowth'));
    for (const end = Date.now() + 20_000; !posted() && Date.now() < end;) {
      await settle();
      await new Promise((r) => setTimeout(r, 50));
    }
    const post = posted()!;
    expect(post).toBeDefined();
    const start = elements(blocksOf(post)).find((e) => e.action_id === ACTION.alertStartRecovery)!;
    await click(ACTION.alertStartRecovery, start.value, 'UBOB', String(post.reply.ts));
    const runId = (await findRunId(state.db, 'C0OPS', 'active'))!;
    const started = eventOf(await listEvents(state.db, runId), 'run_started');
    expect(started.data.title).toBe('Alert: CaracalAuditDLQGrowth');
    expect(started.data.alertMessage).toBe(`https://acme.slack.com/archives/C0OPS/p${String(post.reply.ts).replace('.', '')}`);
    const thread = calls.filter((c) => c.body.thread_ts && String(c.body.text).includes('started the recovery run'));
    expect(String(thread.at(-1)!.body.blocks)).toContain('the alert message');
  });
});

describe('"Run these checks"', () => {
  it('runs a status report limited to the checks that confirm the alerts', async () => {
    const checks = ['postgres.reachable', 'redis.backlog', 'audit.dlq', 'services.ready', 'sts.policy'].map(green);
    const { bot, calls, close } = await startBotOnState({
      checks,
      file: { alerts: { channel: 'C0OPS', updateIntervalMs: 50 } },
      env: { ALERTMANAGER_WEBHOOK_TOKEN: ALERT_TOKEN },
    });
    try {
      await postNotification(bot.url, notification([{ name: 'CaracalAuditDLQNonEmpty' }], { groupKey: 'g-checks' }));
      await bot.bot.flushAlerts();
      const run = elements(blocksOf(calls[0])).find((e) => e.action_id === ACTION.alertRunChecks)!;
      await bot.action(buttonClick(ACTION.alertRunChecks, run.value));
      await bot.bot.idle();
      const report = JSON.stringify(blocksOf(calls.filter((c) => c.method === 'chat.update').at(-1)!));
      expect(report).toContain('audit.dlq');
      expect(report).toContain('redis.backlog');
      expect(report).not.toContain('services.ready');
      expect(report).not.toContain('sts.policy');
    } finally {
      await close();
    }
  });
});
