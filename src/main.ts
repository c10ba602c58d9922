// `npm start`: load the configuration, build the clients, start the bot; stop cleanly on SIGTERM/SIGINT.
// Without any Slack credentials it opens the local sandbox instead (src/sandbox/start.ts).
import { createCheckTargets } from './checks/context.ts';
import { ALL_CHECKS } from './checks/registry.ts';
import { loadConfig, secretValues, type Config } from './config.ts';
import { ConfigError } from './errors.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { startSandbox } from './sandbox/start.ts';
import { createApp, missingSlackCredentials } from './slack/app.ts';
import { dbBaselines } from './store/baselines.ts';
import { openStateDb } from './store/open.ts';

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

async function startSlack(config: Config): Promise<{ logger: Logger; stop: () => Promise<void> }> {
  const logger = createLogger({ level: config.logLevel, secrets: secretValues(config) });
  const db = await openStateDb(config, logger);
  const targets = createCheckTargets(config, { logger, baselines: dbBaselines(db) });
  const bot = createApp({
    config, logger, metrics: createMetrics({ defaultMetrics: true }), db, checks: ALL_CHECKS, checkContext: targets.context,
    ...(config.slack.apiUrl ? { clientOptions: { slackApiUrl: config.slack.apiUrl } } : {}),
  });
  await bot.start();
  logger.info({ port: config.slack.port, socketMode: Boolean(config.secrets.slackAppToken) }, 'caracal-chatops started');
  return {
    logger,
    stop: async () => {
      await bot.stop().catch((err: unknown) => logger.warn({ err }, 'stop failed'));
      await targets.close();
      await db.close();
    },
  };
}

async function startLocalSandbox(config: Config): Promise<{ logger: Logger; stop: () => Promise<void> }> {
  const port = process.env.SANDBOX_PORT === undefined ? undefined : Number(process.env.SANDBOX_PORT);
  const sandbox = await startSandbox({ base: config, env: process.env, port, redisUrl: process.env.SANDBOX_REDIS_URL, caracalPostgresUrl: process.env.SANDBOX_CARACAL_POSTGRES_URL });
  const { caracal } = sandbox;
  sandbox.logger.info({ urls: sandbox.urls, caracalPostgres: caracal.postgresKind, redis: caracal.redisProblem ?? 'up', redisDb: sandbox.redisDb?.db }, 'sandbox started');
  console.log(
    [
      '',
      `  SANDBOX: no Slack credentials, so caracal-chatops runs against a local Slack workspace and a simulated Caracal.`,
      ...sandbox.banner,
      `  To use a real workspace set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (see README).`,
      '',
    ].join('\n'),
  );
  return { logger: sandbox.logger, stop: () => sandbox.close() };
}

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) fail(err.message);
  throw err;
}

const missing = missingSlackCredentials(config);
const noSlackAtAll = !config.secrets.slackBotToken && !config.secrets.slackSigningSecret && !config.secrets.slackAppToken;
if (missing.length > 0 && !noSlackAtAll) {
  fail(
    [
      `caracal-chatops has only part of its Slack credentials: set ${missing.join(' and ')} (or ${missing.map((m) => `${m}_FILE`).join(' / ')}).`,
      'For Socket Mode set SLACK_APP_TOKEN and SLACK_BOT_TOKEN. Unset them all to open the local sandbox instead.',
    ].join('\n'),
  );
}

const running = noSlackAtAll ? await startLocalSandbox(config) : await startSlack(config);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  running.logger.info({ signal }, 'shutting down');
  await running.stop();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
