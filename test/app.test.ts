import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CheckDefinition, CheckOutcome } from '../src/checks/types.ts';
import { ACTION } from '../src/blocks/ids.ts';
import {
  blocksOf,
  buttonClick,
  captureResponseUrls,
  captureSlackApi,
  signedHeaders,
  startTestBot,
  testStateDb,
  waitFor,
  type SlackCall,
  type TestBot,
} from './helpers/slack.ts';
import type { Db } from '../src/store/db.ts';

function fakeCheck(
  id: string,
  outcome: () => Promise<CheckOutcome> | CheckOutcome,
  until: () => Promise<void> = () => Promise.resolve(),
): CheckDefinition {
  return {
    id,
    title: `Fake ${id}`,
    gates: ['storage'],
    reads: 'nothing',
    run: async () => {
      await until();
      return outcome();
    },
  };
}

/** Whether the status report was updated with the slow check's failure in it (the final update). */
const reportedFailing = (calls: readonly SlackCall[]) =>
  calls.some((c) => c.method === 'chat.update' && String(c.body.text).includes('1 failing'));

/** A promise the test resolves: the slow check finishes when the test says so, not after a guessed delay. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('Slack app over signed HTTP', () => {
  let bot: TestBot;
  let runs = 0;
  // Open by default; a test that needs the slow check in flight closes it first.
  let slowGate = gate();
  const checks = [
    fakeCheck('fake.fast', () => ({ status: 'pass', summary: 'fine' })),
    fakeCheck(
      'fake.slow',
      () => {
        runs++;
        return { status: 'fail', summary: 'broken <!channel>', matrix: ['redis'], remedy: 'restore Redis' };
      },
      () => slowGate.opened,
    ),
  ];

  let state: { db: Db; drop(): Promise<void> };
  beforeAll(async () => {
    state = await testStateDb();
  });
  afterAll(async () => {
    await state.drop();
  });
  beforeEach(async () => {
    runs = 0;
    slowGate = gate();
    slowGate.open();
    bot = await startTestBot({ db: state.db, checks });
  });
  afterEach(async () => {
    await bot.stop();
    nock.cleanAll();
  });

  it('acks /caracal status at once, posts "checking…", then updates the report in place', async () => {
    const calls = captureSlackApi();
    slowGate = gate();
    const res = await bot.command('status');
    // Acked while a check is still running: the ack does not wait for the checks.
    expect(res.status).toBe(200);
    expect(runs).toBe(0);
    await waitFor(() => calls.some((c) => c.method === 'chat.postMessage'));
    expect(reportedFailing(calls)).toBe(false);
    slowGate.open();
    await waitFor(() => reportedFailing(calls));
    const post = calls.find((c) => c.method === 'chat.postMessage')!;
    expect(post.body.channel).toBe('C0OPS');
    expect(String(post.body.text)).toContain('Checking');
    const final = calls.filter((c) => c.method === 'chat.update').at(-1)!;
    expect(final.body.ts).toBe('1764320000.000001');
    const text = JSON.stringify(blocksOf(final));
    expect(text).toContain('Redis unavailable');
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).not.toContain('<!channel>');
    // coalesced: never more updates than results
    expect(calls.filter((c) => c.method === 'chat.update').length).toBeLessThanOrEqual(2);
  });

  it('Re-run re-runs the checks and updates the same message; Details posts the evidence in the thread', async () => {
    const calls = captureSlackApi();
    await bot.command('status');
    // The final update, awaited rather than slept for: it is the one with the slow check's failure in it.
    await waitFor(() => runs === 1 && reportedFailing(calls));
    const final = calls.filter((c) => c.method === 'chat.update').at(-1)!;
    const actions = blocksOf(final).find((b) => b.type === 'actions') as { elements: { action_id: string; value: string }[] };
    const rerun = actions.elements.find((e) => e.action_id === ACTION.statusRerun)!;
    const details = actions.elements.find((e) => e.action_id === ACTION.statusDetails)!;

    const detailsRes = await bot.action(buttonClick(ACTION.statusDetails, details.value));
    expect(detailsRes.status).toBe(200);
    await waitFor(() => calls.some((c) => c.method === 'chat.postMessage' && c.body.thread_ts === '1764320000.000001'));
    const thread = calls.find((c) => c.body.thread_ts === '1764320000.000001')!;
    expect(JSON.stringify(blocksOf(thread))).toContain('restore Redis');

    const before = calls.length;
    const res = await bot.action(buttonClick(ACTION.statusRerun, rerun.value));
    expect(res.status).toBe(200);
    await waitFor(() => runs === 2);
    await waitFor(() => reportedFailing(calls.slice(before)));
    const reruns = calls.slice(before).filter((c) => c.method === 'chat.update');
    expect(reruns.every((c) => c.body.ts === '1764320000.000001')).toBe(true);
    expect(JSON.stringify(blocksOf(reruns.at(-1)!))).toContain('<@U0BOB>');
  });

  it('refuses a tampered button payload without re-running anything', async () => {
    const responses = captureResponseUrls<unknown>();
    captureSlackApi();
    const res = await bot.action(buttonClick(ACTION.statusRerun, '{"v":2,"reportId":"x"}'));
    expect(res.status).toBe(200);
    await waitFor(() => responses.length === 1);
    expect(JSON.stringify(responses[0])).toContain('no longer valid');
    expect(runs).toBe(0);
  });

  it('answers help and unknown subcommands ephemerally in the ack', async () => {
    for (const text of ['help', '', 'frobnicate now']) {
      const res = await bot.command(text);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { response_type: string; text: string };
      expect(body.response_type).toBe('ephemeral');
      expect(JSON.stringify(body)).toContain('/caracal status');
      if (text === 'frobnicate now') expect(body.text).toContain('frobnicate');
    }
  });

  it('rejects forged and stale signatures with 401', async () => {
    const body = new URLSearchParams({ command: '/caracal', text: 'status', user_id: 'U1', channel_id: 'C1' }).toString();
    const forged = await fetch(`${bot.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...signedHeaders(body, 'wrong-secret') },
      body,
    });
    expect(forged.status).toBe(401);
    const stale = await fetch(`${bot.url}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...signedHeaders(body, undefined, Math.floor(Date.now() / 1000) - 6 * 60),
      },
      body,
    });
    expect(stale.status).toBe(401);
    expect(runs).toBe(0);
  });

  it('serves /healthz, /readyz and /metrics with command and check counters', async () => {
    const calls = captureSlackApi();
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${bot.url}/readyz`)).status).toBe(200);
    await bot.command('status');
    await waitFor(() => reportedFailing(calls));
    const metrics = await (await fetch(`${bot.url}/metrics`)).text();
    expect(metrics).toContain('caracal_chatops_commands_total{subcommand="status"} 1');
    expect(metrics).toContain('caracal_chatops_check_outcomes_total{check="fake.slow",status="fail",environment="default"} 1');
    expect(metrics).toContain('caracal_chatops_check_duration_seconds_bucket');
  });

  it('tells the user ephemerally when it cannot post in the channel, and counts the Slack error', async () => {
    const responses = captureResponseUrls<unknown>();
    captureSlackApi(() => [200, { ok: false, error: 'not_in_channel' }]);
    await bot.command('status');
    await waitFor(() => responses.length === 1);
    expect(JSON.stringify(responses[0])).toContain('/invite');
    const metrics = await (await fetch(`${bot.url}/metrics`)).text();
    expect(metrics).toContain('caracal_chatops_slack_api_errors_total{method="chat.postMessage",error="not_in_channel"} 1');
  });
});

describe('Socket Mode', () => {
  it('is chosen when an app token is configured: no HTTP signing secret needed, nothing connects until start', async () => {
    const { createApp } = await import('../src/app.ts');
    const { SocketModeReceiver } = await import('@slack/bolt');
    const { createMetrics } = await import('../src/metrics.ts');
    const { createLogger } = await import('../src/logger.ts');
    const { testConfig } = await import('./helpers/check-context.ts');
    const { fakeContext } = await import('./helpers/slack.ts');
    const config = testConfig({}, { SLACK_BOT_TOKEN: 'xoxb-x', SLACK_APP_TOKEN: 'xapp-1-x' });
    const bot = createApp({
      config,
      logger: createLogger({ level: 'silent' }),
      metrics: createMetrics(),
      db: {} as Db,
      checks: [],
      checkContext: fakeContext(config),
      botIdentity: { botId: 'B1', botUserId: 'U1' },
    });
    expect((bot.app as unknown as { receiver: unknown }).receiver).toBeInstanceOf(SocketModeReceiver);
    expect(bot.isReady()).toBe(false);
  });
});

describe('readiness', () => {
  it('/readyz says not ready when the state database does not answer', async () => {
    const { db, drop } = await testStateDb();
    const bot = await startTestBot({ db, checks: [] });
    expect((await fetch(`${bot.url}/readyz`)).status).toBe(200);
    await db.close();
    expect((await fetch(`${bot.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    await bot.stop();
    await drop();
  });
});
