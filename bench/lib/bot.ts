// The real bot for benchmarks: migrated state database, fake Slack Web API, silent logs.
import type { AddressInfo } from 'node:net';
import type { CheckContext, CheckDefinition } from '../../src/checks/types.ts';
import { parseConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics.ts';
import { createApp, type CaracalApp } from '../../src/app.ts';
import { postgresDb, type Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createTempDatabase } from '../../test/helpers/pg.ts';

export const SECRET = 'bench-signing-secret';

export interface BenchBot {
  bot: CaracalApp;
  url: string;
  db: Db;
  stop(): Promise<void>;
}

export async function startBenchBot(opts: {
  slackApiUrl: string;
  checks: readonly CheckDefinition[];
  context?: (config: ReturnType<typeof parseConfig>) => CheckContext;
  file?: Record<string, unknown>;
}): Promise<BenchBot> {
  const temp = await createTempDatabase('bench');
  const db = postgresDb(temp.url, { max: 20 });
  await migrate(db);
  const config = parseConfig(JSON.stringify(opts.file ?? {}), { SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: SECRET });
  const { createCheckTargets } = await import('../../src/checks/context.ts');
  const targets = createCheckTargets(config);
  const bot = createApp({
    config,
    logger: createLogger({ level: 'silent' }),
    metrics: createMetrics(),
    db,
    checks: opts.checks,
    checkContext: opts.context ? opts.context(config) : targets.context,
    botIdentity: { botId: 'B0', botUserId: 'U0BOT' },
    clientOptions: { slackApiUrl: opts.slackApiUrl, retryConfig: { retries: 0 } },
  });
  const server = await bot.start(0);
  return {
    bot,
    db,
    url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/slack/events`,
    async stop() {
      await bot.stop();
      await targets.close();
      await db.close();
      await temp.drop();
    },
  };
}
