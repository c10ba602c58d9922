// createApp(deps): the Bolt app with every listener, and nothing started or connected at import.
import type { Server } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver, type Receiver } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import { randomUUID } from 'node:crypto';
import { registerStatusActions } from '../actions/status-buttons.ts';
import { ALL_CHECKS } from '../checks/registry.ts';
import type { CheckContext, CheckDefinition } from '../checks/types.ts';
import { registerCommands } from '../commands/index.ts';
import { helpCommand } from '../commands/help.ts';
import { statusCommand } from '../commands/status.ts';
import type { Subcommand } from '../commands/types.ts';
import { timeoutFor, type Config } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { boltLogger, type Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { memoryReportStore, type ReportStore } from '../reports/report-store.ts';
import type { StatusRunDeps } from '../reports/status-run.ts';
import { operationalRoutes } from './routes.ts';

export interface AppDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  checkContext: CheckContext;
  checks?: readonly CheckDefinition[];
  reportStore?: ReportStore;
  /** Web API options: `slackApiUrl` for the local sandbox, `retryConfig` for tests. */
  clientOptions?: WebClientOptions;
  /** Known bot identity skips Bolt's auth.test at construction (tests, sandbox). */
  botIdentity?: { botId: string; botUserId: string };
  sandbox?: boolean;
  newId?: () => string;
}

export interface CaracalApp {
  app: App;
  /** Starts the HTTP server (returned) or the Socket Mode connection. */
  start(port?: number): Promise<Server | undefined>;
  stop(): Promise<void>;
  isReady(): boolean;
}

/** Slack credentials the bot cannot start without; each entry names the variable to set. */
export function missingSlackCredentials(config: Config): string[] {
  const s = config.secrets;
  if (s.slackAppToken) return s.slackBotToken ? [] : ['SLACK_BOT_TOKEN'];
  return [!s.slackBotToken && 'SLACK_BOT_TOKEN', !s.slackSigningSecret && 'SLACK_SIGNING_SECRET'].filter(
    (v): v is string => typeof v === 'string',
  );
}

export function createApp(deps: AppDeps): CaracalApp {
  const { config } = deps;
  const missing = missingSlackCredentials(config);
  if (missing.length > 0) throw new ConfigError(missing.map((v) => `${v} is not set`));
  let ready = false;
  const routes = operationalRoutes({ metrics: deps.metrics, isReady: () => ready });
  const logger = boltLogger(deps.logger);
  const socketMode = Boolean(config.secrets.slackAppToken);
  const receiver: Receiver = socketMode
    ? new SocketModeReceiver({ appToken: config.secrets.slackAppToken!, customRoutes: routes, installerOptions: { port: config.slack.port }, logger })
    : new HTTPReceiver({
        signingSecret: config.secrets.slackSigningSecret!,
        customRoutes: routes,
        logger,
        processBeforeResponse: false,
        unhandledRequestTimeoutMillis: 2500,
      });
  const app = new App({
    token: config.secrets.slackBotToken!,
    receiver,
    logger,
    convoStore: false, // stateless across replicas
    clientOptions: { retryConfig: { retries: 3 }, timeout: 10_000, ...deps.clientOptions },
    ...(deps.botIdentity ?? {}),
  });

  const statusDeps: StatusRunDeps = {
    checks: deps.checks ?? ALL_CHECKS,
    context: deps.checkContext,
    store: deps.reportStore ?? memoryReportStore(),
    metrics: deps.metrics,
    logger: deps.logger,
    timeoutMs: (id) => timeoutFor(config, id),
    updateIntervalMs: config.slack.reportUpdateIntervalMs,
    sandbox: deps.sandbox ?? false,
    newId: deps.newId ?? (() => randomUUID().replace(/-/g, '').slice(0, 20)),
  };
  const subcommands: Subcommand[] = [];
  subcommands.push(statusCommand(statusDeps), helpCommand(() => subcommands));
  registerCommands(app, subcommands, { logger: deps.logger, metrics: deps.metrics });
  registerStatusActions(app, statusDeps);
  app.error(async (err) => {
    deps.logger.error({ err }, 'unhandled error in a listener');
    await Promise.resolve();
  });

  return {
    app,
    async start(port = config.slack.port) {
      const server = (await app.start(port)) as unknown;
      ready = true;
      return socketMode ? undefined : (server as Server);
    },
    async stop() {
      ready = false;
      await app.stop();
    },
    isReady: () => ready,
  };
}
