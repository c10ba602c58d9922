// App Home: what each person's Home shows (runs, environments, the last status report) and the publisher that
// keeps every Home up to date, coalescing bursts of changes. Apart from createApp (app.ts) to keep the top-level
// assembly short; built after the recovery wiring, whose gate policy decides what a Home offers.
import type { WiringBase } from './base.ts';
import type { WebClient } from '@slack/web-api';
import { environmentNames } from '../config.ts';
import { createHomePublisher, type HomePublisher } from '../delivery/home-publisher.ts';
import { createHomeContent } from '../home/home-content.ts';
import type { GatePolicy } from '../recovery/machine.ts';

export interface HomeWiringDeps extends WiringBase {
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
