// The sandbox's alerting as `npm start` opens it: a fault injected from the panel reaches #incident through the
// real Prometheus and Alertmanager; without them, a hint with a button that posts a sample notification.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/blocks/ids.ts';
import { configFromObject } from '../../src/config.ts';
import { SANDBOX_ALERT_CHANNEL, startSandboxAlerting } from '../../src/sandbox/alerting/sandbox.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/start.ts';
import { leaseRedisDb, type LeasedRedis } from '../helpers/redis.ts';
import { waitFor } from '../helpers/slack.ts';

describe('alerts in the sandbox', () => {
  let redis: LeasedRedis;
  let sandbox: Sandbox;
  const history = () => sandbox.slack.workspace.history(SANDBOX_ALERT_CHANNEL);
  const withText = (part: string) => history().filter((m) => JSON.stringify(m).includes(part));

  beforeAll(async () => {
    redis = await leaseRedisDb();
    const base = configFromObject({ checks: { httpTimeoutMs: 1000 }, alerts: { updateIntervalMs: 100 } }, {});
    sandbox = await startSandbox({
      base,
      env: {},
      port: 0,
      redisUrl: redis.url,
      syncIntervalMs: 500,
      alerting: true,
      logDestination: { write: () => undefined },
    });
  }, 120_000);
  afterAll(async () => {
    await sandbox?.close();
    await redis?.release();
  });

  it('a fault injected from the panel arrives in #incident as an alert group message', async () => {
    const stack = (await sandbox.alerting)!;
    expect(stack).toBeDefined();
    // A counter's increase needs samples from before the fault: wait until Prometheus has scraped Audit twice.
    const query = encodeURIComponent('count_over_time(caracal_audit_tamper_mismatch_total[1m]) >= 2');
    const scraped = async () =>
      ((await (await fetch(`${stack.prometheusUrl}/api/v1/query?query=${query}`)).json()) as { data: { result: unknown[] } }).data.result
        .length > 0;
    for (let i = 0; i < 900 && !(await scraped()); i++) await new Promise((r) => setTimeout(r, 100));
    const res = await fetch(`${sandbox.url}/sandbox/faults/tampered_audit_row/inject`, {
      method: 'POST',
      headers: { 'x-sandbox-token': sandbox.faultToken },
    });
    expect(res.status).toBe(200);
    await waitFor(() => withText('CaracalAuditTamperDetected').length > 0, 90_000);
    const [message] = withText('CaracalAuditTamperDetected');
    expect(JSON.stringify(message)).toContain('[SANDBOX]');
    expect(JSON.stringify(message)).toContain('audit.tamper');
  }, 120_000);

  it('without Prometheus and Alertmanager it says how to install them, and its button posts a sample notification', async () => {
    await startSandboxAlerting({
      config: sandbox.config,
      caracal: sandbox.caracal,
      botUrl: 'http://127.0.0.1:1',
      slackApiUrl: sandbox.slack.apiUrl,
      logger: sandbox.logger,
      find: () => undefined,
    });
    const [hint] = withText('apt-get install prometheus prometheus-alertmanager');
    expect(hint).toBeDefined();
    const ack = await sandbox.slack.interact.click('U0ALICE', SANDBOX_ALERT_CHANNEL, hint.ts, ACTION.alertSample);
    expect(ack.status).toBe(200);
    await sandbox.bot.idle();
    await sandbox.bot.flushAlerts();
    await waitFor(() => withText('CaracalAuditDLQNonEmpty').some((m) => JSON.stringify(m).includes('Run these checks')), 10_000);
  });
});
