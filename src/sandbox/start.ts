// The local sandbox behind `npm start` without Slack credentials: a simulated Caracal, a local Slack workspace in
// the browser, and the real bot between them: its normal Bolt HTTP receiver gets signed requests from the page,
// and its Web API calls go to the workspace (clientOptions.slackApiUrl). Tests start the same thing.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createCheckTargets } from '../checks/context.ts';
import { ALL_CHECKS } from '../checks/registry.ts';
import { configFromObject, secretValues, type Config, type Env, type Thresholds } from '../config.ts';
import { createLogger, type Logger } from '../logger.ts';
import { createMetrics } from '../metrics.ts';
import { createApp, type CaracalApp } from '../slack/app.ts';
import { dbBaselines } from '../store/baselines.ts';
import type { Db } from '../store/db.ts';
import { openStateDb } from '../store/open.ts';
import { startSimulatedCaracal, type SimulatedCaracal } from './caracal/index.ts';
import { mountFaultRoutes } from './fault-routes.ts';
import { SANDBOX_APPROVERS, SANDBOX_BOT, startSandboxSlack, type SandboxSlack } from './slack/server.ts';

export interface SandboxOptions {
  /** The operator's configuration: thresholds, timeouts and recovery rules are kept; Caracal and Slack are replaced. */
  base: Config;
  env: Env;
  /** The page's port (default 3030; a free one when it is taken). 0: a free port. */
  port?: number;
  /** Where the simulated Caracal keeps its streams (default redis://127.0.0.1:6379, database 9). */
  redisUrl?: string;
  /** A Postgres database for the simulated Caracal; default an embedded PGlite served over the wire protocol. */
  caracalPostgresUrl?: string;
  /** Log lines go here (default stdout). */
  logDestination?: { write(line: string): void };
  syncIntervalMs?: number;
}

export interface Sandbox {
  /** The page: open it in a browser. */
  url: string;
  config: Config;
  logger: Logger;
  slack: SandboxSlack;
  caracal: SimulatedCaracal;
  bot: CaracalApp;
  db: Db;
  close(): Promise<void>;
}

/**
 * The embedded PGlite is single-threaded WebAssembly: on a busy 2-CPU machine its first answer takes 500 to 650 ms,
 * which says nothing about Caracal. The sandbox judges its speed against this instead of the production default.
 */
export const EMBEDDED_POSTGRES_LATENCY_WARN_MS = 5000;

/** The operator's thresholds, with the Postgres latency warning set for the kind of database the sandbox runs. */
export function sandboxThresholds(base: Thresholds, postgresKind: 'pglite' | 'postgres'): Thresholds {
  if (postgresKind !== 'pglite') return base;
  return { ...base, postgresLatencyWarnMs: Math.max(base.postgresLatencyWarnMs, EMBEDDED_POSTGRES_LATENCY_WARN_MS) };
}

/** The bot's configuration in the sandbox: the simulated deployment, the sandbox's approvers, fresh secrets. */
export function sandboxConfig(base: Config, env: Env, caracal: SimulatedCaracal, slack: { botToken: string; signingSecret: string }): Config {
  // The operator's secrets are left out: the sandbox never uses their Slack or Caracal credentials.
  const { secrets: _secrets, configPath: _path, ...file } = base;
  return configFromObject(
    {
      ...file,
      thresholds: sandboxThresholds(base.thresholds, caracal.postgresKind),
      // The simulated deployment's Redis is the developer's own, which rarely runs with AOF: not a sandbox fault.
      caracal: { ...caracal.file.caracal, redis: { ...caracal.file.caracal.redis, requireAppendonly: false }, expectedMigrations: base.caracal.expectedMigrations },
      recovery: { ...base.recovery, approvers: { users: [...SANDBOX_APPROVERS], userGroups: [] } },
    },
    // Only the state database may come from outside; every Caracal and Slack secret is the sandbox's own.
    { STATE_DATABASE_URL: env.STATE_DATABASE_URL, ...caracal.env, SLACK_BOT_TOKEN: slack.botToken, SLACK_SIGNING_SECRET: slack.signingSecret },
  );
}

async function listenSlack(options: Parameters<typeof startSandboxSlack>[0]): Promise<SandboxSlack> {
  try {
    return await startSandboxSlack(options);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !options.port) throw err;
    return startSandboxSlack({ ...options, port: 0 });
  }
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    const caracal = await startSimulatedCaracal({ redisUrl: options.redisUrl, postgresUrl: options.caracalPostgresUrl, syncIntervalMs: options.syncIntervalMs });
    closers.push(() => caracal.close());
    const credentials = { botToken: `xoxb-sandbox-${randomBytes(12).toString('hex')}`, signingSecret: randomBytes(16).toString('hex') };
    const slack = await listenSlack({ ...credentials, port: options.port ?? 3030 });
    closers.push(() => slack.close());
    mountFaultRoutes(slack, caracal);

    const config = sandboxConfig(options.base, options.env, caracal, credentials);
    const logger = createLogger({ level: config.logLevel, secrets: secretValues(config), ...(options.logDestination ? { destination: options.logDestination } : {}) });
    const db = await openStateDb(config, logger, { ephemeral: true });
    closers.push(() => db.close());
    const targets = createCheckTargets(config, { logger, baselines: dbBaselines(db) });
    closers.push(() => targets.close());
    // Warm the checks' pool before anyone asks for a report: its first connection and query are the slowest.
    await targets.context.postgres?.query('SELECT 1').catch(() => undefined);
    const bot = createApp({
      config, logger, db, metrics: createMetrics(), checks: ALL_CHECKS, checkContext: targets.context, sandbox: true,
      clientOptions: { slackApiUrl: slack.apiUrl }, botIdentity: { botId: SANDBOX_BOT.botId, botUserId: SANDBOX_BOT.botUserId },
    });
    const server = await bot.start(0);
    closers.push(() => bot.stop());
    slack.setBotUrl(`http://127.0.0.1:${(server!.address() as AddressInfo).port}`);
    return { url: slack.url, config, logger, slack, caracal, bot, db, close };
  } catch (err) {
    await close();
    throw err;
  }
}
