// The local sandbox behind `npm start` without Slack credentials: a simulated Caracal, a local Slack workspace in
// the browser, and the real bot between them: its normal Bolt HTTP receiver gets signed requests from the page,
// and its Web API calls go to the workspace (clientOptions.slackApiUrl). Tests start the same thing.
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createCheckTargets } from '../checks/context.ts';
import { ALL_CHECKS } from '../checks/registry.ts';
import { configFromObject, secretValues, type Config, type Env, type Thresholds } from '../config.ts';
import { createLogger, type Logger } from '../logger.ts';
import { createMetrics } from '../metrics.ts';
import { createApp, type CaracalApp } from '../app.ts';
import { dbBaselines } from '../store/baselines.ts';
import type { Db } from '../store/db.ts';
import { openStateDb } from '../store/open.ts';
import { startSimulatedCaracal, type SimulatedCaracal } from './caracal/index.ts';
import { DEFAULT_REDIS_DB, DEFAULT_REDIS_URL } from './caracal/redis.ts';
import { mountFaultRoutes } from './fault-routes.ts';
import { SANDBOX_ALERT_CHANNEL, startSandboxAlerting } from './alerting/sandbox.ts';
import type { AlertingStack } from './alerting/stack.ts';
import { lockSandboxDb } from './instance-lock.ts';
import { SANDBOX_APPROVERS, SANDBOX_BOT, startSandboxSlack, type SandboxSlack } from './slack/server.ts';
import { SANDBOX_CHANNELS } from './slack/people.ts';

export interface SandboxOptions {
  /** The operator's configuration: thresholds, timeouts and recovery rules are kept; Caracal and Slack are replaced. */
  base: Config;
  env: Env;
  /** The page's port (default 3030; a free one when it is taken). 0: a free port. */
  port?: number | undefined;
  /** Where the simulated Caracal keeps its streams (default redis://127.0.0.1:6379, database 9). */
  redisUrl?: string | undefined;
  /** A Postgres database for the simulated Caracal; default an embedded PGlite served over the wire protocol. */
  caracalPostgresUrl?: string | undefined;
  /** Log lines go here (default stdout). */
  logDestination?: { write(line: string): void };
  syncIntervalMs?: number;
  /** The simulated Caracal's clock (tests compress an outage's minutes; the order of events stays Caracal's). */
  caracalNow?: () => number;
  /** How long the simulated API and Coordinator take to answer 500 while Redis is down (default 2 s and 20 s). */
  redisErrorDelayMs?: { api?: number; coordinator?: number };
  /** Start Prometheus and Alertmanager when installed (default no; `caracal-chatops sandbox` turns it on unless SANDBOX_ALERTING=off). */
  alerting?: boolean;
  /** Where the CLI config is written (default `$TMPDIR/caracal-chatops-sandbox`). */
  cliConfigDir?: string;
  /**
   * Check results shared for this long (default 0: a fault just injected shows at once). bench/status-burst.ts sets
   * the production default, since what it measures is how a burst shares check runs.
   */
  resultCacheMs?: number;
}

/** Every address the sandbox serves, all on 127.0.0.1. */
export interface SandboxUrls {
  page: string;
  /** The bot's own HTTP receiver (Slack events at /slack/events). */
  bot: string;
  healthz: string;
  readyz: string;
  metrics: string;
  /** GET lists the faults and the token; POST <id>/inject|clear with header x-sandbox-token. */
  faults: string;
}

export interface Sandbox {
  /** The page: open it in a browser. */
  url: string;
  urls: SandboxUrls;
  /** The token POSTs to the fault routes need (header x-sandbox-token). */
  faultToken: string;
  /** The Redis database the simulated Caracal uses, and why when it is not the one asked for. */
  redisDb: { db: number; note: string | undefined } | undefined;
  /** config.yml and env.json for `caracal-chatops check` against this sandbox. */
  cliConfig: { dir: string; config: string; env: string };
  /** What to print at start: every URL, the stores, the CLI config. */
  banner: string[];
  config: Config;
  logger: Logger;
  slack: SandboxSlack;
  caracal: SimulatedCaracal;
  bot: CaracalApp;
  db: Db;
  /** Prometheus and Alertmanager, once started (undefined when not installed or turned off). */
  alerting: Promise<AlertingStack | undefined>;
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
export function sandboxConfig(
  base: Config,
  _env: Env,
  caracal: SimulatedCaracal,
  slack: { botToken: string; signingSecret: string },
  resultCacheMs = 0,
): Config {
  // The operator's secrets are left out: the sandbox never uses their Slack or Caracal credentials.
  const { secrets: _secrets, environmentSecrets: _environmentSecrets, configPath: _path, ...file } = base;
  return configFromObject(
    {
      ...file,
      thresholds: sandboxThresholds(base.thresholds, caracal.postgresKind),
      // The simulated deployment's Redis is the developer's own, which rarely runs with AOF: not a sandbox fault.
      caracal: {
        ...caracal.file.caracal,
        redis: { ...caracal.file.caracal.redis, requireAppendonly: false },
        expectedMigrations: base.caracal.expectedMigrations,
      },
      recovery: {
        ...base.recovery,
        approvers: { users: [...SANDBOX_APPROVERS], userGroups: [] },
        drillChannels: SANDBOX_CHANNELS.map((c) => c.id),
      },
      alerts: { ...base.alerts, channel: SANDBOX_ALERT_CHANNEL, routes: [] },
      // The local workspace has no per-channel posting limit, so the thread keeps up with every click.
      slack: { ...base.slack, postIntervalMs: 0 },
      // Faults are injected at will here: a cached result would show the state from before the fault just injected.
      // Checks in flight are still shared.
      limits: { ...base.limits, resultCacheMs },
    },
    // Nothing comes from outside, not even STATE_DATABASE_URL: real runs' deliveries must never meet the fake Slack.
    {
      ...caracal.env,
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: slack.signingSecret,
      ALERTMANAGER_WEBHOOK_TOKEN: `sandbox-alerts-${randomBytes(12).toString('hex')}`,
    },
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

/** The routes operators probe, reachable at the page's address too (the bot's own port is printed as well). */
function proxyOperationalRoutes(slack: SandboxSlack, botUrl: () => string): void {
  for (const path of ['/healthz', '/readyz', '/metrics']) {
    slack.addRoute('GET', path, async (_req, res) => {
      const answer = await fetch(`${botUrl()}${path}`).catch(
        (err: unknown) => new Response(`bot unreachable: ${String(err)}`, { status: 502 }),
      );
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain', 'cache-control': 'no-store' });
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
  }
}

/** The bot's configuration as a file for the CLI, and the secrets it needs beside it (both 0600). */
async function writeCliConfig(dir: string, config: Config, caracal: SimulatedCaracal): Promise<Sandbox['cliConfig']> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // The same judgement as the bot's: the developer's Redis without AOF is not a sandbox fault (sandboxConfig).
  const file = {
    caracal: { ...caracal.file.caracal, redis: { ...caracal.file.caracal.redis, requireAppendonly: false } },
    thresholds: config.thresholds,
  };
  const paths = { dir, config: join(dir, 'config.yml'), env: join(dir, 'env.json') };
  const header = '# Written by the caracal-chatops sandbox for `caracal-chatops check`; removed when it stops.\n';
  await writeFile(paths.config, header + stringify(file), { mode: 0o600 });
  await writeFile(paths.env, `${JSON.stringify(caracal.env, null, 2)}\n`, { mode: 0o600 });
  return paths;
}

function redisTarget(url: string | undefined): { base: string; db: number } {
  const u = new URL(url ?? DEFAULT_REDIS_URL);
  const fromPath = Number.parseInt(u.pathname.slice(1), 10);
  u.pathname = '';
  return { base: u.toString(), db: Number.isInteger(fromPath) ? fromPath : DEFAULT_REDIS_DB };
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    const redis = redisTarget(options.redisUrl);
    const lock = await lockSandboxDb(redis.base, redis.db, `the sandbox of pid ${process.pid} (starting)`);
    if (lock) closers.push(() => lock.release());
    const caracal = await startSimulatedCaracal({
      redisUrl: redis.base,
      redisDb: lock?.db ?? redis.db,
      postgresUrl: options.caracalPostgresUrl,
      syncIntervalMs: options.syncIntervalMs,
      ...(options.caracalNow ? { now: options.caracalNow } : {}),
      ...(options.redisErrorDelayMs ? { redisErrorDelayMs: options.redisErrorDelayMs } : {}),
    });
    closers.push(() => caracal.close());
    const credentials = { botToken: `xoxb-sandbox-${randomBytes(12).toString('hex')}`, signingSecret: randomBytes(16).toString('hex') };
    const slack = await listenSlack({ ...credentials, port: options.port ?? 3030 });
    closers.push(() => slack.close());
    const { token: faultToken } = mountFaultRoutes(slack, caracal);
    let botUrl = '';
    proxyOperationalRoutes(slack, () => botUrl);

    const config = sandboxConfig(options.base, options.env, caracal, credentials, options.resultCacheMs);
    const logger = createLogger({
      level: config.logLevel,
      secrets: secretValues(config),
      ...(options.logDestination ? { destination: options.logDestination } : {}),
    });
    const db = await openStateDb(config, logger, { ephemeral: true });
    closers.push(() => db.close());
    const targets = createCheckTargets(config, { logger, baselines: dbBaselines(db) });
    closers.push(() => targets.close());
    const bot = createApp({
      config,
      logger,
      db,
      metrics: createMetrics(),
      checks: ALL_CHECKS,
      checkContext: targets.context,
      sandbox: true,
      clientOptions: { slackApiUrl: slack.apiUrl },
      botIdentity: { botId: SANDBOX_BOT.botId, botUserId: SANDBOX_BOT.botUserId },
    });
    // Loopback only: the bot accepts anything signed with the sandbox's secret, which the page holds.
    const server = await bot.start({ port: 0, host: '127.0.0.1' });
    closers.push(() => bot.stop());
    botUrl = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
    slack.setBotUrl(botUrl);
    // In the background: the page is usable at once, alerts start flowing when Prometheus and Alertmanager are up.
    const alerting = options.alerting
      ? startSandboxAlerting({ config, caracal, botUrl, slackApiUrl: slack.apiUrl, logger }).catch((err: unknown) => {
          logger.warn({ err }, 'sandbox alerting did not start');
          return undefined;
        })
      : Promise.resolve(undefined);
    closers.push(async () => (await alerting)?.close());
    await lock?.hold(`the sandbox of pid ${process.pid} at ${slack.url}/`);

    const dirName = lock && lock.db !== redis.db ? `caracal-chatops-sandbox-db${lock.db}` : 'caracal-chatops-sandbox';
    const cliDir = options.cliConfigDir ?? join(tmpdir(), dirName);
    const cliConfig = await writeCliConfig(cliDir, config, caracal);
    closers.push(() => rm(cliDir, { recursive: true, force: true }));

    const urls: SandboxUrls = {
      page: `${slack.url}/`,
      bot: `${botUrl}/slack/events`,
      healthz: `${slack.url}/healthz`,
      readyz: `${slack.url}/readyz`,
      metrics: `${slack.url}/metrics`,
      faults: `${slack.url}/sandbox/faults`,
    };
    const redisDb = lock ? { db: lock.db, note: lock.note } : undefined;
    const banner = [
      `  Page:          ${urls.page}  (type /caracal status)`,
      `  Bot (Slack):   ${urls.bot}  (127.0.0.1 only; also ${botUrl}/healthz, /readyz, /metrics)`,
      `  Health:        ${urls.healthz}  ${urls.readyz}  ${urls.metrics}`,
      `  Fault API:     ${urls.faults}  (POST <id>/inject|clear with header x-sandbox-token: ${faultToken})`,
      `  Caracal's Postgres: ${caracal.postgresKind === 'pglite' ? 'embedded PGlite' : 'configured Postgres'}; ` +
        `Redis: ${caracal.redisProblem ? `down (${caracal.redisProblem})` : `up (${redis.base} database ${lock?.db ?? redis.db})`}.`,
      ...(lock?.note ? [`  ${lock.note}`] : []),
      `  CLI config:    ${cliConfig.config}  (secrets in ${cliConfig.env}, mode 0600)`,
    ];
    return { url: slack.url, urls, faultToken, redisDb, cliConfig, banner, config, logger, slack, caracal, bot, db, alerting, close };
  } catch (err) {
    await close();
    throw err;
  }
}
