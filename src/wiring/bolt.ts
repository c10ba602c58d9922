// The Bolt side of the app: the receiver (HTTP with Slack's signing secret, or Socket Mode with an app token), the
// App on it, and the count of listeners still working after their ack. Apart from createApp (app.ts) so the
// top-level assembly reads as what is built, not how Bolt is configured.
import { App, HTTPReceiver, SocketModeReceiver, type CustomRoute, type Receiver } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import type { Config } from '../config.ts';
import { boltLogger, type Logger } from '../logger.ts';

/** Request bodies above this are refused with 413 before any parsing or signature work. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

export interface BoltDeps {
  config: Config;
  logger: Logger;
  /** Served next to /slack/events (health, readiness, metrics, the alert receiver). */
  routes: CustomRoute[];
  clientOptions: WebClientOptions;
  /** Known bot identity skips Bolt's auth.test at construction (tests, sandbox). */
  botIdentity?: { botId: string; botUserId: string } | undefined;
}

export function createBolt(deps: BoltDeps) {
  const { config, routes, clientOptions } = deps;
  const logger = boltLogger(deps.logger);
  const socketMode = Boolean(config.secrets.slackAppToken);
  const receiver: Receiver = socketMode
    ? new SocketModeReceiver({
        appToken: config.secrets.slackAppToken!,
        customRoutes: routes,
        installerOptions: { port: config.slack.port },
        logger,
      })
    : new HTTPReceiver({
        signingSecret: config.secrets.slackSigningSecret!,
        customRoutes: routes,
        logger,
        processBeforeResponse: false,
        unhandledRequestTimeoutMillis: 2500,
        // Slack's largest payloads (a block_actions carrying a 50-block message) stay far below this; more is hostile.
        bodyLimit: MAX_REQUEST_BYTES,
      });
  const app = new App({
    token: config.secrets.slackBotToken!,
    receiver,
    logger,
    convoStore: false, // stateless across replicas
    clientOptions,
    ...(deps.botIdentity ?? {}),
  });

  // Work continues after ack(); count it so shutdown (and tests) can wait for it to finish.
  let inflight = 0;
  app.use(async ({ next }) => {
    inflight++;
    try {
      await next();
    } finally {
      inflight--;
    }
  });
  const idle = async (): Promise<void> => {
    while (inflight > 0) await new Promise((r) => setTimeout(r, 10));
  };

  return { app, logger, socketMode, idle };
}
