// `caracal-chatops serve`: the production entry. Never opens the sandbox: with a setting missing it lists every
// missing one and exits 78 (a replica whose Secret failed to mount must crash-loop visibly, not pretend).
import { createCheckTargets } from '../checks/context.ts';
import { ALL_CHECKS } from '../checks/registry.ts';
import { environmentConfig, loadConfig, secretValues, SERVICES, type Config } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import { createMetrics } from '../metrics.ts';
import { describePgError } from '../pg-connection.ts';
import { WebClient } from '@slack/web-api';
import { createApp, missingSlackCredentials } from '../app.ts';
import { resolveBotIdentity } from '../slack/bot-identity.ts';
import { dbBaselines } from '../store/baselines.ts';
import { openStateDb } from '../store/open.ts';
import { parseFlags } from './args.ts';
import type { CliIo } from './check.ts';
import { EXIT, SetupError } from './exit-codes.ts';
import { runUntilSignal, type Running, type SignalDeps } from './lifecycle.ts';

export const SERVE_USAGE = `usage: caracal-chatops serve [--config FILE]

Runs the Slack bot. Needs SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN (Socket Mode);
Caracal's Postgres, Redis and service URLs come from the config file. Never opens the sandbox (caracal-chatops sandbox).
exit codes: 0 stopped on SIGTERM/SIGINT, 70 shutdown bound passed, 64 usage, 78 configuration`;

/** Every credential a production bot cannot start without, by the name the operator sets. */
export function missingSettings(config: Config): string[] {
  return missingSlackCredentials(config);
}

/** Caracal targets left out of the config: the bot starts (its checks then fail "not configured"), but says so. */
function unconfiguredTargets(config: Config): string[] {
  const missing: string[] = [];
  if (!config.caracal.postgres.url) missing.push('caracal.postgres.url');
  if (!config.caracal.redis.url) missing.push('caracal.redis.url');
  for (const s of SERVICES) if (config.caracal.services[s].length === 0) missing.push(`caracal.services.${s}`);
  return missing;
}

export async function startBot(config: Config): Promise<Running> {
  const logger = createLogger({ level: config.logLevel, secrets: secretValues(config) });
  const db = await openStateDb(config, logger).catch((err: unknown) => {
    throw new SetupError(`serve: state database: ${describePgError(err, 'STATE_DATABASE_PASSWORD')}`);
  });
  const unconfigured = unconfiguredTargets(config);
  if (unconfigured.length > 0) logger.warn({ unconfigured }, 'Caracal targets not configured: their checks will fail "not configured"');
  // The default environment's targets (the top-level caracal section, or environments.<defaultEnvironment>).
  const targets = createCheckTargets(environmentConfig(config, config.defaultEnvironment), { logger, baselines: dbBaselines(db) });
  const clientOptions = config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {};
  // The read-backs trust only this bot's own messages: without its id, another app could make it skip an entry.
  const botIdentity = await resolveBotIdentity(new WebClient(config.secrets.slackBotToken, clientOptions)).catch(async (err: unknown) => {
    await targets.close();
    await db.close();
    throw new SetupError(`serve: Slack auth.test failed: ${(err as Error).message}`);
  });
  const bot = createApp({
    config,
    logger,
    metrics: createMetrics({ defaultMetrics: true }),
    db,
    checks: ALL_CHECKS,
    checkContext: targets.context,
    botIdentity,
    ...(config.slack.apiUrl ? { clientOptions } : {}),
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

export async function serveCommand(argv: string[], io: CliIo, deps: SignalDeps = {}): Promise<number> {
  const { values } = parseFlags('serve', {
    args: argv,
    options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: false,
  });
  if (values.help) {
    io.out(SERVE_USAGE);
    return EXIT.pass;
  }
  let config: Config;
  try {
    config = loadConfig(io.env, values.config);
  } catch (err) {
    if (err instanceof ConfigError) throw new SetupError(`serve: invalid configuration: ${err.problems.join('; ')}`);
    throw err;
  }
  const missing = missingSettings(config);
  if (missing.length > 0) {
    throw new SetupError(
      `serve: missing settings: ${missing.join(', ')} (secrets may be given as NAME_FILE; the sandbox is \`caracal-chatops sandbox\`)`,
    );
  }
  return runUntilSignal(await startBot(config), deps);
}
