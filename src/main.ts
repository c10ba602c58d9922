// `npm start`: load the configuration, build the clients, start the bot; stop cleanly on SIGTERM/SIGINT.
import { createCheckTargets } from './checks/context.ts';
import { ALL_CHECKS } from './checks/registry.ts';
import { loadConfig, secretValues } from './config.ts';
import { ConfigError } from './errors.ts';
import { createLogger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { createApp, missingSlackCredentials } from './slack/app.ts';
import { dbBaselines } from './store/baselines.ts';
import { openStateDb } from './store/open.ts';

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) fail(err.message);
  throw err;
}

const missing = missingSlackCredentials(config);
if (missing.length > 0) {
  fail(
    [
      'caracal-chatops needs Slack credentials to start.',
      `Set ${missing.join(' and ')} (or ${missing.map((m) => `${m}_FILE`).join(' / ')}) in the environment;`,
      'for Socket Mode set SLACK_APP_TOKEN and SLACK_BOT_TOKEN instead.',
      'Copy .env.example for the full list, and config.example.yml (CARACAL_CHATOPS_CONFIG) for the Caracal targets.',
    ].join('\n'),
  );
}

const logger = createLogger({ level: config.logLevel, secrets: secretValues(config) });
const metrics = createMetrics({ defaultMetrics: true });
const db = await openStateDb(config, logger);
const targets = createCheckTargets(config, { logger, baselines: dbBaselines(db) });
const bot = createApp({
  config, logger, metrics, db, checks: ALL_CHECKS, checkContext: targets.context,
  ...(config.slack.apiUrl ? { clientOptions: { slackApiUrl: config.slack.apiUrl } } : {}),
});
await bot.start();
logger.info({ port: config.slack.port, socketMode: Boolean(config.secrets.slackAppToken) }, 'caracal-chatops started');

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  await bot.stop().catch((err: unknown) => logger.warn({ err }, 'stop failed'));
  await targets.close();
  await db.close();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
