// Signed Slack requests against a real HTTP receiver, and a capture of the Web API calls made through nock.
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createApp, type AppDeps, type CaracalApp } from '../../src/app.ts';
import { createMetrics } from '../../src/metrics.ts';
import { createLogger } from '../../src/logger.ts';
import { secretValues, type Config } from '../../src/config.ts';
import type { CheckContext, CheckDefinition } from '../../src/checks/types.ts';
import { testConfig } from './check-context.ts';
import { memoryBaselines } from '../../src/checks/baselines.ts';
import { createHttpTarget } from '../../src/checks/targets/http.ts';
import { createCheckTargets } from '../../src/checks/context.ts';
import type { Db } from '../../src/store/db.ts';
import { SHORTCUT } from '../../src/blocks/ids.ts';
export { testStateDb } from './state.ts';
export { blocksOf, captureResponseUrls, captureSlackApi, latestDashboard, type SlackCall } from './slack-api.ts';

export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const BOT_TOKEN = 'xoxb-test-token-0123456789';

export function signedHeaders(rawBody: string, secret = SIGNING_SECRET, ts = Math.floor(Date.now() / 1000)): Record<string, string> {
  const sig = 'v0=' + createHmac('sha256', secret).update(`v0:${ts}:${rawBody}`).digest('hex');
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig };
}

export interface TestBot {
  bot: CaracalApp;
  url: string;
  config: Config;
  logLines: string[];
  command(text: string, extra?: Record<string, string>): Promise<Response>;
  action(payload: Record<string, unknown>): Promise<Response>;
  stop(): Promise<void>;
}

/** Issue 18's single-flight and limits off: tests of other behaviour send many requests from one user. */
export const UNLIMITED = {
  resultCacheMs: 0,
  checksPerUserPerMinute: 100_000,
  checksPerChannelPerMinute: 100_000,
  notesPerUserPerMinute: 100_000,
  notesPerChannelPerMinute: 100_000,
};

let botCount = 0;
let triggerCount = 0;

export function fakeContext(config: Config): CheckContext {
  return {
    caracal: config.caracal,
    thresholds: config.thresholds,
    secrets: config.secrets,
    postgres: undefined,
    redis: undefined,
    http: createHttpTarget({ timeoutMs: 1000 }),
    baselines: memoryBaselines(),
    now: () => new Date(),
  };
}

export async function startTestBot(opts: {
  db: Db;
  checks: readonly CheckDefinition[];
  file?: Record<string, unknown>;
  env?: Record<string, string>;
  deps?: Partial<AppDeps>;
  /** Read real targets (Postgres, Redis, HTTP) from the configuration instead of an empty context. */
  realTargets?: boolean;
}): Promise<TestBot> {
  const config = testConfig(
    // Each request runs its own checks and no limit applies, unless a test sets `limits` (test/slack/flood.test.ts).
    { slack: { reportUpdateIntervalMs: 50, postIntervalMs: 0 }, limits: UNLIMITED, ...opts.file },
    { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, ...opts.env },
  );
  const logLines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    secrets: secretValues(config),
    destination: { write: (line: string) => void logLines.push(line) },
  });
  const targets = opts.realTargets ? createCheckTargets(config, { logger }) : undefined;
  const bot = createApp({
    config,
    logger,
    metrics: createMetrics(),
    db: opts.db,
    checkContext: targets?.context ?? fakeContext(config),
    botIdentity: { botId: 'B0TEST', botUserId: 'U0BOT' },
    clientOptions: { retryConfig: { retries: 0 } },
    workerId: `test-worker-${++botCount}`,
    checks: opts.checks,
    ...opts.deps,
  });
  const server = await bot.start(0);
  const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  const post = (body: string) =>
    fetch(`${url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...signedHeaders(body, config.secrets.slackSigningSecret) },
      body,
    });
  return {
    bot,
    url,
    config,
    logLines,
    command: (text, extra = {}) =>
      post(
        new URLSearchParams({
          token: 'x',
          team_id: 'T0TEST',
          team_domain: 'acme',
          channel_id: 'C0OPS',
          channel_name: 'ops',
          user_id: 'U0ALICE',
          user_name: 'alice',
          command: '/caracal',
          text,
          api_app_id: 'A0TEST',
          // Slack gives every invocation its own trigger_id; a replay carries the same one (pass it in `extra`).
          response_url: 'https://hooks.slack.com/commands/T0TEST/1/abc',
          trigger_id: `${++triggerCount}.2.3`,
          ...extra,
        }).toString(),
      ),
    action: (payload) => post(`payload=${encodeURIComponent(JSON.stringify(payload))}`),
    stop: async () => {
      await bot.stop();
      await targets?.close();
    },
  };
}

export function buttonClick(
  actionId: string,
  value: string,
  opts: { user?: string; messageTs?: string; channel?: string } = {},
): Record<string, unknown> {
  const ts = opts.messageTs ?? '1764320000.000001';
  const channel = opts.channel ?? 'C0OPS';
  return {
    type: 'block_actions',
    team: { id: 'T0TEST', domain: 'acme' },
    user: { id: opts.user ?? 'U0BOB', username: 'bob', name: 'bob', team_id: 'T0TEST' },
    api_app_id: 'A0TEST',
    token: 'x',
    trigger_id: '1.2.3',
    container: { type: 'message', message_ts: ts, channel_id: channel, is_ephemeral: false },
    channel: { id: channel, name: channel.toLowerCase() },
    message: { type: 'message', ts, text: 'report', blocks: [] },
    response_url: 'https://hooks.slack.com/actions/T0TEST/1/xyz',
    state: { values: {} },
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: 'status_actions',
        value,
        text: { type: 'plain_text', text: 'x' },
        action_ts: nextActionTs(),
      },
    ],
  };
}

/** The "Add to incident log" message shortcut on a message of `channel` (by UDBA, unless `message` says otherwise). */
export function addToLogShortcut(channel: string, message: { ts: string; text: string }, opts: { triggerId?: string } = {}) {
  return {
    type: 'message_action',
    callback_id: SHORTCUT.addToIncidentLog,
    trigger_id: opts.triggerId ?? '1.2.3',
    team: { id: 'T0TEST', domain: 'acme' },
    user: { id: 'UEVE', name: 'eve' },
    channel: { id: channel, name: 'ops' },
    message_ts: '1.1',
    response_url: 'https://hooks.slack.com/actions/x',
    message: { type: 'message', user: 'UDBA', ...message },
    token: 'x',
    action_ts: '1',
  };
}

let clicks = 0;
/** Every click Slack sends has its own action_ts: the bot keys a click's effect on it (a redelivery is applied once). */
function nextActionTs(): string {
  return `1764320010.${String(++clicks).padStart(6, '0')}`;
}

/** Wait until `predicate` holds (polling), or fail after `ms`. */
export async function waitFor(predicate: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A click on a run's dashboard as Slack sends it: from the run's channel and its dashboard message. */
/**
 * A click on the run's dashboard. People click a posted message: the click waits (briefly) for the dashboard to be in
 * Slack, so it carries its ts, as a real one does; built before, it would look like a click from another message.
 */
export async function runClick(
  db: Db,
  runId: string,
  actionId: string,
  value: string,
  opts: { user?: string } = {},
): Promise<Record<string, unknown>> {
  const read = async () =>
    (
      await db.query<{ channel_id: string; dashboard_ts: string | null }>('SELECT channel_id, dashboard_ts FROM runs WHERE id = $1', [
        runId,
      ])
    ).rows[0];
  let row = await read();
  for (const end = Date.now() + 10_000; row && !row.dashboard_ts && Date.now() < end; row = await read())
    await new Promise((r) => setTimeout(r, 20));
  if (!row) throw new Error(`no run ${runId}`);
  if (!row.dashboard_ts) throw new Error(`run ${runId} has no dashboard in Slack after 10 s: nothing to click on`);
  return buttonClick(actionId, value, { ...opts, channel: row.channel_id, messageTs: row.dashboard_ts });
}
