// createApp(deps): the Bolt app with every listener, and nothing started or connected at import. The top-level
// assembly: what is built and in which order; how each part is built lives in src/wiring/ (Slack egress, Bolt,
// operational routes, recovery, listeners).
import type { Server } from 'node:http';
import type { ListenOptions } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { App } from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { HomePublisher } from './delivery/home-publisher.ts';
import type { CheckContext, CheckDefinition } from './checks/types.ts';
import { sharedCheckRunner } from './checks/shared-runner.ts';
import { createRequestLimits } from './slack/request-limits.ts';
import { channelEnvironment, timeoutFor, type Config } from './config.ts';
import { createEnvironmentContexts } from './checks/environments.ts';
import { environmentPicker } from './commands/environment.ts';
import { createRetention } from './delivery/retention.ts';
import { createReportSweeper } from './reports/report-sweeper.ts';
import { createInbox } from './slack/inbox.ts';
import { ConfigError } from './errors.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import type { Db } from './store/db.ts';
import { createRecovery } from './wiring/recovery.ts';
import { metricsServer, operationalRoutes } from './wiring/http-routes.ts';
import { operationalDeps } from './wiring/operations.ts';
import { createSlackEgress } from './wiring/slack-egress.ts';
import { createBolt } from './wiring/bolt.ts';
import { createHome } from './wiring/home.ts';
import { registerListeners, statusRunDeps } from './wiring/listeners.ts';
import { createAlerts } from './alerts/wiring.ts';
import { withCallBudget } from './checks/targets/call-budget.ts';
import { configuredCallBudget } from './checks/context.ts';
import { createSchedules } from './schedule/wiring.ts';

export { MAX_REQUEST_BYTES } from './wiring/bolt.ts';

export interface AppDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /** The bot's own state database (migrated). */
  db: Db;
  checkContext: CheckContext;
  /** The reconciliation checks (the registry's ALL_CHECKS in production). */
  checks: readonly CheckDefinition[];
  /** Web API options: `slackApiUrl` for the local sandbox, `retryConfig` for tests. */
  clientOptions?: WebClientOptions;
  /** Known bot identity skips Bolt's auth.test at construction (tests, sandbox). */
  botIdentity?: { botId: string; botUserId: string };
  sandbox?: boolean;
  newId?: () => string;
  now?: () => Date;
  /** Identifies this replica's dispatcher in the outbox leases. */
  workerId?: string;
}

export interface CaracalApp {
  app: App;
  /** Starts the HTTP server (returned) or the Socket Mode connection, and the delivery dispatcher. */
  /** A port, or listen options (the sandbox binds its bot to loopback: `{ port: 0, host: '127.0.0.1' }`). */
  start(port?: number | ListenOptions): Promise<Server | undefined>;
  stop(): Promise<void>;
  isReady(): boolean;
  /** Deliver every due Slack message now (tests, shutdown). */
  flushDeliveries(): Promise<void>;
  /** Resolves once no listener is still working after its ack (tests, graceful shutdown). */
  idle(): Promise<void>;
  /** Handle now the saved requests whose replica died after acking them (tests; it also runs every 2 s). */
  sweepInbox(): Promise<void>;
  /** Show now the final state of reports whose last update failed (tests; it also runs every few seconds). */
  sweepReports(): Promise<void>;
  /** Bring every alert group's message up to date now (tests, shutdown). */
  flushAlerts(): Promise<void>;
  /** Publish every App Home that is behind now, without waiting for the coalescing interval (tests). */
  flushHome(): Promise<void>;
  /** Run the scheduler's due jobs now, if this replica holds its lease (tests move their clock, then call it). */
  runSchedules(): Promise<number>;
  /** Tests: this replica dies here, its scheduler lease left to run out. */
  abandonSchedules(): void;
}

/** Slack credentials the bot cannot start without; each entry names the variable to set. */
export function missingSlackCredentials(config: Config): string[] {
  const s = config.secrets;
  if (s.slackAppToken) return s.slackBotToken ? [] : ['SLACK_BOT_TOKEN'];
  return [!s.slackBotToken && 'SLACK_BOT_TOKEN', !s.slackSigningSecret && 'SLACK_SIGNING_SECRET'].filter(
    (v): v is string => typeof v === 'string',
  );
}

const shortId = () => randomUUID().replace(/-/g, '').slice(0, 20);

export function createApp(deps: AppDeps): CaracalApp {
  const { config, db, metrics } = deps;
  const missing = missingSlackCredentials(config);
  if (missing.length > 0) throw new ConfigError(missing.map((v) => `${v} is not set`));
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? shortId;
  const sandbox = deps.sandbox ?? false;
  const { checks } = deps;
  // One count of the calls to each Caracal endpoint: people's checks are refused past it, and scheduled checks
  // start only while theirs fit, so together they stay within Caracal's per-client limits (issues 17, 18).
  const { context: checkContext, budget } = withCallBudget(deps.checkContext, () => configuredCallBudget(config, now));
  // Each named environment checks its own Caracal deployment (and budget); the default one uses the context above.
  const environments = createEnvironmentContexts(config, checkContext, deps.logger);
  const pickEnvironment = environmentPicker(config);
  // What most parts (and the listeners) take alike.
  const common = { config, db, metrics, logger: deps.logger, sandbox, now };
  const ownBot = deps.botIdentity ? { botId: deps.botIdentity.botId } : {};
  let ready = false;
  const routeDeps = operationalDeps({ config, db, metrics, started: () => ready });
  const { scrub, pacer, fetch, clientOptions, selfPacedOptions } = createSlackEgress({ config, db, clientOptions: deps.clientOptions });
  const workerId = deps.workerId ?? `bot-${process.pid}-${newId().slice(0, 6)}`;
  const alerts = createAlerts({
    ...common,
    workerId,
    clientOptions: selfPacedOptions,
    pacer,
    onRunChanged: () => {
      dispatcher.poke();
      homePublisher.poke();
    },
    ...ownBot,
  });
  const { app, logger, socketMode, idle } = createBolt({
    config,
    logger: deps.logger,
    routes: [...operationalRoutes(routeDeps), alerts.route],
    clientOptions,
    botIdentity: deps.botIdentity,
  });

  // One run of each check at a time, shared by every report and gate that asks within the cache window (issue 18).
  const runner = sharedCheckRunner({
    context: checkContext,
    timeoutMs: (id) => timeoutFor(config, id),
    cacheMs: config.limits.resultCacheMs,
    onResult: (r, context) => metrics.recordCheck(r, environments.nameOf(context)),
  });
  const limits = createRequestLimits(config.limits);
  const recovery = createRecovery({
    ...common,
    checks,
    newId,
    scrub,
    runner,
    checkContext,
    slackClient: () => app.client,
    dispatchClient: new WebClient(config.secrets.slackBotToken, {
      ...selfPacedOptions,
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
      logger,
    }),
    pacer,
    workerId,
    onRunChanged: () => homePublisher.poke(),
    contextFor: (environment) => environments.contextFor(environment),
    environmentFor: (channelId) => channelEnvironment(config, channelId),
    ...ownBot,
  });
  const { service, dispatcher } = recovery;
  // Built after the recovery wiring (it needs the gate policy); the callbacks above only run once the app serves.
  const homePublisher: HomePublisher = createHome({ ...common, workerId, client: app.client, policy: service.policy });
  const retention = createRetention({ db, days: config.state.retentionDays, logger: deps.logger });
  let metricsHttp: Server | undefined;

  const statusDeps = statusRunDeps({ ...common, checks, checkContext, environments, runner, limits, homePublisher, newId });
  const schedules = createSchedules({
    ...common,
    checks,
    checkContext,
    budget,
    policy: service.policy,
    scrub,
    reports: statusDeps.store,
    newId,
    workerId,
    contextFor: (environment) => environments.contextFor(environment),
    client: () => app.client,
    ...ownBot,
    onQueued: () => dispatcher.poke(),
  });
  // Requests saved before their ack; handled again by any replica if the one that acked them died (issue 14).
  const inbox = createInbox({ db, logger: deps.logger, fetch, client: () => app.client, scrub });
  const reportSweeper = createReportSweeper({ store: statusDeps.store, client: app.client, metrics, logger: deps.logger });
  registerListeners(app, {
    ...common,
    checkContext,
    environments,
    pickEnvironment,
    statusDeps,
    recovery,
    schedules,
    alerts,
    homePublisher,
    limits,
    scrub,
    inbox,
    workerId,
  });

  return {
    app,
    async start(port: number | ListenOptions = config.slack.port) {
      const server = (await app.start(port)) as unknown;
      if (config.slack.metricsPort !== undefined) {
        metricsHttp = metricsServer(routeDeps);
        await new Promise<void>((r) => metricsHttp!.listen(config.slack.metricsPort, r));
      }
      dispatcher.start();
      dispatcher.poke(); // finish what an earlier process left pending, without waiting for the first poll
      retention.start();
      reportSweeper.start();
      inbox.start();
      void inbox.sweep(); // what an earlier process acked and left, without waiting for the first sweep
      alerts.delivery.start();
      homePublisher.start();
      schedules.scheduler.start(schedules.pollMs);
      ready = true;
      return socketMode ? undefined : (server as Server);
    },
    /** Bounded: listeners and the delivery pass get `slack.shutdownMs`; what is left waits for the next replica. */
    async stop() {
      ready = false;
      const deadline = Date.now() + config.slack.shutdownMs;
      retention.stop();
      await reportSweeper.stop();
      await app.stop();
      let t: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((r) => (t = setTimeout(() => r('late'), config.slack.shutdownMs)));
      if ((await Promise.race([idle().then(() => 'idle' as const), late])) === 'late')
        deps.logger.warn('listeners still working at shutdown; leaving them');
      clearTimeout(t);
      await inbox.stop();
      await schedules.scheduler.stop();
      await alerts.delivery.stop();
      await homePublisher.stop();
      await dispatcher.stop(Math.max(0, deadline - Date.now()));
      if (metricsHttp) await new Promise((r) => metricsHttp!.close(r));
      await environments.close();
    },
    isReady: () => ready,
    flushDeliveries: () => dispatcher.runNow(),
    sweepReports: () => reportSweeper.run(),
    sweepInbox: () => inbox.sweep(),
    flushAlerts: () => alerts.delivery.flush(),
    flushHome: () => homePublisher.flush(),
    runSchedules: () => schedules.scheduler.runNow(),
    abandonSchedules: () => schedules.scheduler.abandon(),
    idle,
  };
}
