// The alert side of the app: the /alertmanager route, the group message delivery, and the hooks into runs.
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Db } from '../store/db.ts';
import type { Pacer } from '../delivery/pacer.ts';
import { createAlertDelivery } from './delivery.ts';
import { alertEnvironment } from './environment.ts';
import { alertmanagerRoute } from './receiver.ts';

export interface AlertWiringDeps {
  config: Config;
  db: Db;
  metrics: Metrics;
  logger: Logger;
  workerId: string;
  sandbox: boolean;
  now: () => Date;
  /** The same options as the bot's other clients (sandbox URL); retries are the delivery's own. */
  clientOptions: WebClientOptions;
  pacer: Pacer;
  onRunChanged(runId: string): void;
  /** The bot's own bot_id when known: read-back trusts only its messages. */
  botId?: string;
}

export function createAlerts(deps: AlertWiringDeps) {
  const client = new WebClient(deps.config.secrets.slackBotToken, {
    ...deps.clientOptions,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
  });
  const delivery = createAlertDelivery({
    db: deps.db,
    client,
    metrics: deps.metrics,
    logger: deps.logger,
    workerId: deps.workerId,
    intervalMs: deps.config.alerts.updateIntervalMs,
    sandbox: deps.sandbox,
    postIntervalMs: deps.config.slack.postIntervalMs,
    pacer: deps.pacer,
    pauseProbeMs: deps.config.slack.pauseProbeMs,
    ...(deps.botId ? { botId: deps.botId } : {}),
    environmentOf: (group) => alertEnvironment(deps.config, group),
  });
  const receiverDeps = {
    db: deps.db,
    alerts: deps.config.alerts,
    token: deps.config.secrets.alertmanagerToken,
    logger: deps.logger,
    now: deps.now,
    onGroupChanged: (key: string) => delivery.poke(key),
    onRunChanged: (runId: string) => deps.onRunChanged(runId),
  };
  return { route: alertmanagerRoute(receiverDeps), receiverDeps, delivery };
}
