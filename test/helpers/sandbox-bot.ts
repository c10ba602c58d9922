// The real bot (createApp) between the sandbox's Slack emulation and a real Postgres state database: commands,
// clicks, modals and Home tabs go through signed requests, and every Web API call the bot makes lands in the
// sandbox workspace (which answers with Slack's errors and limits).
import type { AddressInfo } from 'node:net';
import { createApp, type AppDeps, type CaracalApp } from '../../src/app.ts';
import { createMetrics } from '../../src/metrics.ts';
import { createLogger } from '../../src/logger.ts';
import { secretValues, type Config } from '../../src/config.ts';
import type { CheckDefinition } from '../../src/checks/types.ts';
import { startSandboxSlack, SANDBOX_BOT, type SandboxSlack, type SandboxSlackOptions } from '../../src/sandbox/slack/server.ts';
import type { Db } from '../../src/store/db.ts';
import { testConfig } from './check-context.ts';
import { fakeContext } from './slack.ts';

export const SANDBOX_BOT_TOKEN = 'xoxb-sandbox-bot-0123456789';
export const SANDBOX_SIGNING_SECRET = 'sandbox-bot-signing-secret-0123';

export interface SandboxBot {
  slack: SandboxSlack;
  bot: CaracalApp;
  config: Config;
  logLines: string[];
  /** Wait for listeners, then deliver the outbox and the Home tabs. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

let count = 0;

export async function startSandboxBot(opts: {
  db: Db;
  checks?: readonly CheckDefinition[];
  file?: Record<string, unknown>;
  env?: Record<string, string>;
  slack?: Partial<SandboxSlackOptions>;
  deps?: Partial<AppDeps>;
}): Promise<SandboxBot> {
  const slack = await startSandboxSlack({ botToken: SANDBOX_BOT_TOKEN, signingSecret: SANDBOX_SIGNING_SECRET, ...opts.slack });
  const config = testConfig(
    { slack: { reportUpdateIntervalMs: 50, postIntervalMs: 0 }, recovery: { approvers: { users: ['U0ALICE', 'U0BOB'] } }, ...opts.file },
    { SLACK_BOT_TOKEN: SANDBOX_BOT_TOKEN, SLACK_SIGNING_SECRET: SANDBOX_SIGNING_SECRET, ...opts.env },
  );
  const logLines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    secrets: secretValues(config),
    destination: { write: (line: string) => void logLines.push(line) },
  });
  const bot = createApp({
    config,
    logger,
    metrics: createMetrics(),
    db: opts.db,
    checkContext: fakeContext(config),
    botIdentity: { botId: SANDBOX_BOT.botId, botUserId: SANDBOX_BOT.botUserId },
    clientOptions: { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } },
    workerId: `sandbox-bot-${++count}`,
    checks: opts.checks ?? [],
    ...opts.deps,
  });
  const server = await bot.start({ port: 0, host: '127.0.0.1' });
  slack.setBotUrl(`http://127.0.0.1:${(server!.address() as AddressInfo).port}`);
  return {
    slack,
    bot,
    config,
    logLines,
    async settle() {
      await bot.idle();
      await bot.flushDeliveries();
      await bot.flushHome();
    },
    async stop() {
      await bot.stop();
      await slack.close();
    },
  };
}
