// App Home: what each person's Home shows (runs, environments, the last status report) and the publisher that
// keeps every Home up to date, coalescing bursts of changes. Apart from createApp (app.ts) to keep the top-level
// assembly short; built after the recovery wiring, whose gate policy decides what a Home offers.
import type { WebClient } from '@slack/web-api';
import { environmentNames, type Config } from '../config.ts';
import { createHomePublisher, type HomePublisher } from '../delivery/home-publisher.ts';
import { createHomeContent } from '../home/home-content.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { GatePolicy } from '../recovery/machine.ts';
import type { Db } from '../store/db.ts';

export interface HomeWiringDeps {
  config: Config;
  db: Db;
  metrics: Metrics;
  logger: Logger;
  client: WebClient;
  policy: GatePolicy;
  workerId: string;
  sandbox: boolean;
  now: () => Date;
}

export function createHome(deps: HomeWiringDeps): HomePublisher {
  const { config, db, metrics, client } = deps;
  return createHomePublisher({
    db,
    metrics,
    workerId: deps.workerId,
    logger: deps.logger,
    client,
    intervalMs: config.slack.homeUpdateIntervalMs,
    content: createHomeContent({
      db,
      client,
      metrics,
      logger: deps.logger,
      policy: deps.policy,
      sandbox: deps.sandbox,
      now: deps.now,
      environments: environmentNames(config),
      defaultEnvironment: config.defaultEnvironment,
    }),
  });
}
