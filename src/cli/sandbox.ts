// `caracal-chatops sandbox` (and `npm start` without Slack credentials): the local sandbox. Its code (the simulated
// Caracal, PGlite, the local Slack) is imported here only, never by `serve` or `check`.
import { loadConfig, type Config } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { parseFlags } from './args.ts';
import type { CliIo } from './check.ts';
import { EXIT, SetupError } from './exit-codes.ts';
import { runUntilSignal, type Running, type SignalDeps } from './lifecycle.ts';

export const SANDBOX_USAGE = `usage: caracal-chatops sandbox [--config FILE]

A simulated Caracal and a local Slack workspace in the browser, with the real bot between them. Uses none of the
operator's credentials and never an external state database (STATE_DATABASE_URL is ignored).
SANDBOX_PORT sets the page's port (default 3030), SANDBOX_REDIS_URL the Redis for the simulated streams.`;

async function startLocalSandbox(config: Config, io: CliIo): Promise<Running> {
  const { startSandbox } = await import('../sandbox/start.ts');
  const env = io.env;
  const port = env.SANDBOX_PORT === undefined ? undefined : Number(env.SANDBOX_PORT);
  const sandbox = await startSandbox({
    base: config,
    env,
    port,
    redisUrl: env.SANDBOX_REDIS_URL,
    caracalPostgresUrl: env.SANDBOX_CARACAL_POSTGRES_URL,
    alerting: env.SANDBOX_ALERTING !== 'off',
  });
  const { caracal } = sandbox;
  sandbox.logger.info(
    { urls: sandbox.urls, caracalPostgres: caracal.postgresKind, redis: caracal.redisProblem ?? 'up', redisDb: sandbox.redisDb?.db },
    'sandbox started',
  );
  io.out(
    [
      '',
      `  SANDBOX: caracal-chatops runs against a local Slack workspace and a simulated Caracal (no real Slack, no real Caracal).`,
      ...sandbox.banner,
      `  To use a real workspace set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (see README), or run caracal-chatops serve.`,
      '',
    ].join('\n'),
  );
  return { logger: sandbox.logger, stop: () => sandbox.close() };
}

export async function sandboxCommand(argv: string[], io: CliIo, deps: SignalDeps = {}): Promise<number> {
  const { values } = parseFlags('sandbox', {
    args: argv,
    options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: false,
  });
  if (values.help) {
    io.out(SANDBOX_USAGE);
    return EXIT.pass;
  }
  let config: Config;
  try {
    // Thresholds, timeouts and recovery rules come from the operator's file; every secret is the sandbox's own.
    config = loadConfig(io.env, values.config);
  } catch (err) {
    if (err instanceof ConfigError) throw new SetupError(`sandbox: invalid configuration: ${err.problems.join('; ')}`);
    throw err;
  }
  return runUntilSignal(await startLocalSandbox(config, io), deps);
}
