// What the operational routes (http-routes.ts) report about this replica: ready only once started and while its
// state database answers, the paused Slack channels as detail, and the outbox and inbox gauges for /metrics. Apart from
// createApp (app.ts) because it is about operating the bot, not about Slack.
import type { Config } from '../config.ts';
import type { DeliveryGauges, Metrics } from '../metrics.ts';
import type { Db } from '../store/db.ts';
import { deliveryStats } from '../store/deliveries.ts';
import { inboxStats } from '../store/inbox.ts';
import { pausedChannels } from '../store/slack-channels.ts';
import type { RouteDeps } from './http-routes.ts';

/** What /metrics reads from the state database at each scrape: the outbox, the paused channels, the inbox. */
export const stateGauges = (db: Db) => async (): Promise<DeliveryGauges> => ({
  ...(await deliveryStats(db)),
  pausedChannels: (await pausedChannels(db)).length,
  ...(await inboxStats(db)),
});

export function operationalDeps(deps: { config: Config; db: Db; metrics: Metrics; started: () => boolean }): RouteDeps {
  const { config, db, metrics } = deps;
  const stateDbAnswers = async (): Promise<boolean> => {
    const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), 1000).unref());
    return Promise.race([
      db.query('SELECT 1').then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  };
  metrics.observeDeliveries(stateGauges(db));
  return {
    metrics,
    isReady: async () => deps.started() && (await stateDbAnswers()),
    detail: async () =>
      (await pausedChannels(db)).map(
        (p) => `slack channel ${p.channelId} paused since ${p.since.toISOString()}: ${p.error} (deliveries kept, probing)`,
      ),
    ...(config.secrets.botMetricsToken ? { metricsToken: config.secrets.botMetricsToken } : {}),
    metricsElsewhere: config.slack.metricsPort !== undefined,
  };
}
