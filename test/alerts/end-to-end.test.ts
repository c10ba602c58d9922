// Real Prometheus 2.42 and Alertmanager 0.25 (Debian packages; .ci/run installs them) between the simulated Caracal
// and the bot: a fault in the simulated deployment must reach the channel as a group message, on the drill run's
// dashboard and as its time to detect.
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/blocks/ids.ts';
import { createLogger } from '../../src/logger.ts';
import { summarize } from '../../src/recovery/summary.ts';
import { startFakeCaracal, type FakeCaracal } from '../../src/sandbox/fake-caracal.ts';
import { INSTALL_HINT, findAlertingBinaries, startAlerting, type AlertingStack } from '../../src/sandbox/alerting/stack.ts';
import type { Db } from '../../src/store/db.ts';
import { listEvents } from '../../src/store/events.ts';
import { findRunId } from '../../src/store/runs.ts';
import { blocksOf, captureSlackApi, runClick, startTestBot, testStateDb, waitFor, type SlackCall, type TestBot } from '../helpers/slack.ts';
import { ALERT_TOKEN } from './notifications.ts';

type Element = { action_id?: string; value: string; text: { text: string } };

describe('alerts end to end through real Prometheus and Alertmanager', () => {
  let state: { db: Db; drop(): Promise<void> };
  let fake: FakeCaracal;
  let bot: TestBot;
  let stack: AlertingStack;
  let calls: SlackCall[];

  beforeAll(async () => {
    if (!findAlertingBinaries()) throw new Error(`This test needs Prometheus and Alertmanager: ${INSTALL_HINT}`);
    state = await testStateDb();
    fake = await startFakeCaracal();
    calls = captureSlackApi();
    nock('https://hooks.slack.com').persist().post(/.*/).reply(200, 'ok');
    bot = await startTestBot({
      db: state.db,
      checks: [],
      file: {
        alerts: { channel: 'C0OPS', updateIntervalMs: 100 },
        caracal: { services: fake.urls },
        recovery: { approvers: { users: ['U0ALICE'] }, drillChannels: ['C0OPS'] },
      },
      env: { ALERTMANAGER_WEBHOOK_TOKEN: ALERT_TOKEN },
    });
    stack = await startAlerting({
      targets: fake.urls,
      metricsBearer: fake.state.tokens.metricsBearer ?? undefined,
      webhookUrl: `${bot.url}/alertmanager`,
      webhookToken: ALERT_TOKEN,
      logger: createLogger({ level: 'warn' }),
    });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    await bot?.stop();
    await fake?.close();
    nock.cleanAll();
    await state?.drop();
  });

  const groupMessages = (name: string) =>
    calls.filter(
      (c) => (c.method === 'chat.postMessage' || c.method === 'chat.update') && !c.body.thread_ts && String(c.body.text).includes(name),
    );
  const settle = async () => {
    await bot.bot.idle();
    await bot.bot.flushDeliveries();
  };

  it('a DLQ fault injected during a drill arrives as the group message, on the dashboard, and as the TTD', async () => {
    // Prometheus scrapes the simulated services' text metrics with the metrics bearer.
    let health: string[] = [];
    for (let i = 0; i < 600 && !(health.length === 5 && health.every((h) => h === 'up')); i++) {
      await new Promise((r) => setTimeout(r, 100));
      const targets = (await (await fetch(`${stack.prometheusUrl}/api/v1/targets`)).json()) as {
        data: { activeTargets: { health: string }[] };
      };
      health = targets.data.activeTargets.map((t) => t.health);
    }
    expect(health).toEqual(['up', 'up', 'up', 'up', 'up']);

    await bot.command('drill audit-backpressure');
    await settle();
    const runId = (await findRunId(state.db, 'C0OPS', 'active'))!;
    const dashboard = () => blocksOf(calls.filter((c) => !c.body.thread_ts && String(c.body.text).includes('Recovery run')).at(-1)!);
    const inject = dashboard()
      .flatMap((b) => (b.elements as Element[] | undefined) ?? [])
      .find((e) => e.action_id?.startsWith(ACTION.drillMark) && e.text.text === 'Fault injected')!;
    await bot.action(await runClick(state.db, runId, ACTION.drillMark, inject.value, { user: 'UEVE' }));
    await settle();

    fake.state.audit[0].dlqSize = 3; // the fault: entries in the audit dead-letter queue
    await waitFor(() => groupMessages('CaracalAuditDLQNonEmpty').length > 0, 90_000);
    const [post] = groupMessages('CaracalAuditDLQNonEmpty');
    expect(post.method).toBe('chat.postMessage');
    expect(post.body.channel).toBe('C0OPS');
    expect(JSON.stringify(blocksOf(post))).toContain('`audit.dlq`');

    await settle();
    const events = await listEvents(state.db, runId);
    const fired = events.find((e) => e.type === 'drill_marker' && e.data.marker === 'alert_fired');
    expect(fired?.actor).toBe('Alertmanager');
    const firing = events.find((e) => e.type === 'alert_firing')!;
    expect(fired!.at.toISOString()).toBe(firing.data.startsAt);
    expect(summarize(events).drill.timeToDetectMs).toBeGreaterThan(0);
    expect(JSON.stringify(dashboard())).toContain('CaracalAuditDLQNonEmpty');

    fake.state.audit[0].dlqSize = 0;
    await waitFor(() => String(groupMessages('CaracalAuditDLQNonEmpty').at(-1)!.body.text).includes('All alerts resolved'), 90_000);
    expect(groupMessages('CaracalAuditDLQNonEmpty').filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
  }, 200_000);
});
