// createApp(deps): the Bolt app with every listener, and nothing started or connected at import.
import type { Server } from 'node:http';
import type { ListenOptions } from 'node:net';
import { randomUUID } from 'node:crypto';
import { App, HTTPReceiver, SocketModeReceiver, type Receiver } from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import { registerAddToLog } from './actions/add-to-log.ts';
import { registerGateActions } from './actions/gate-buttons.ts';
import { registerOverrideModal } from './actions/override-modal.ts';
import { registerHandoffModal } from './actions/handoff-modal.ts';
import { registerAppHome } from './actions/app-home.ts';
import { createHomePublisher, type HomePublisher } from './delivery/home-publisher.ts';
import { createHomeContent } from './home/home-content.ts';
import { registerFindingAck } from './actions/finding-ack.ts';
import { registerStatusActions } from './actions/status-buttons.ts';
import { registerStartRecovery } from './actions/start-recovery.ts';
import { registerRemediation } from './actions/remediate.ts';
import type { CheckContext, CheckDefinition } from './checks/types.ts';
import { sharedCheckRunner } from './checks/shared-runner.ts';
import { createRequestLimits } from './slack/request-limits.ts';
import { createExclusiveRunner } from './remediation/exclusive.ts';
import { registerCommands } from './commands/index.ts';
import { recentReports } from './reports/recent-reports.ts';
import { noteCommand } from './commands/note.ts';
import { recoverCommand } from './commands/recover.ts';
import { drillCommand } from './commands/drill.ts';
import { cancelCommand } from './commands/cancel.ts';
import { handoffCommand } from './commands/handoff.ts';
import { summaryCommand } from './commands/summary.ts';
import { troubleshootCommand } from './commands/troubleshoot.ts';
import { registerTroubleshoot } from './actions/troubleshoot.ts';
import { statusCommand } from './commands/status.ts';
import { timelineCommand } from './commands/timeline.ts';
import type { Subcommand } from './commands/types.ts';
import { channelEnvironment, environmentNames, secretValues, timeoutFor, type Config } from './config.ts';
import { createEnvironmentContexts } from './checks/environments.ts';
import { environmentPicker } from './commands/environment.ts';
import { createPacer } from './delivery/pacer.ts';
import { cleanArguments, egressFetch } from './delivery/egress-fetch.ts';
import { createRetention } from './delivery/retention.ts';
import { scrubber } from './redact.ts';
import { createReportSweeper } from './reports/report-sweeper.ts';
import { deliveryStats } from './store/deliveries.ts';
import { pausedChannels } from './store/slack-channels.ts';
import { ConfigError } from './errors.ts';
import { boltLogger, type Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import type { StatusRunDeps } from './reports/status-run.ts';
import type { Db } from './store/db.ts';
import { dbReportStore } from './store/reports.ts';
import { createRecovery } from './wiring/recovery.ts';
import { metricsServer, operationalRoutes, type RouteDeps } from './wiring/http-routes.ts';
import { createAlerts } from './alerts/wiring.ts';
import { registerAlertButtons } from './actions/alert-buttons.ts';
import { registerAlertSample } from './alerts/sample.ts';
import { watchCommand } from './commands/watch.ts';
import { withCallBudget } from './checks/targets/call-budget.ts';
import { configuredCallBudget } from './checks/context.ts';
import { createSchedules } from './schedule/wiring.ts';

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

/** Request bodies above this are refused with 413 before any parsing or signature work. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** A direct post waits at most this long for its channel's slot or a Retry-After; then its client sees Slack's 429. */
const SLOT_WAIT_MS = 10_000;

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
  let ready = false;
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
  metrics.observeDeliveries(async () => ({ ...(await deliveryStats(db)), pausedChannels: (await pausedChannels(db)).length }));
  const routeDeps: RouteDeps = {
    metrics,
    isReady: async () => ready && (await stateDbAnswers()),
    detail: async () =>
      (await pausedChannels(db)).map(
        (p) => `slack channel ${p.channelId} paused since ${p.since.toISOString()}: ${p.error} (deliveries kept, probing)`,
      ),
    ...(config.secrets.botMetricsToken ? { metricsToken: config.secrets.botMetricsToken } : {}),
    metricsElsewhere: config.slack.metricsPort !== undefined,
  };
  // Every request to Slack (Web API and response_url) crosses one boundary that scrubs secrets and fits limits.
  const scrub = scrubber(secretValues(config));
  // One pacer for every Slack call of this process: Retry-After and each channel's posting slot are shared by the
  // outbox, the alert messages and everything that answers directly (reports, timeline, details).
  const pacer = createPacer({
    db,
    postIntervalMs: config.slack.postIntervalMs,
    now: Date.now,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  });
  const withEgress = (takeSlot: boolean): WebClientOptions => ({
    retryConfig: { retries: 3 },
    timeout: 10_000,
    ...deps.clientOptions,
    fetch: egressFetch(scrub, deps.clientOptions?.fetch, { pacer, takeSlot, maxWaitMs: SLOT_WAIT_MS }),
  });
  const clientOptions = withEgress(true);
  /** For the outbox and alert delivery, which take the channel's slot themselves before they post. */
  const selfPacedOptions = withEgress(false);
  const workerId = deps.workerId ?? `bot-${process.pid}-${newId().slice(0, 6)}`;
  const alerts = createAlerts({
    config,
    db,
    metrics,
    logger: deps.logger,
    workerId,
    sandbox,
    now,
    clientOptions: selfPacedOptions,
    pacer,
    onRunChanged: () => {
      dispatcher.poke();
      homePublisher.poke();
    },
    ...(deps.botIdentity ? { botId: deps.botIdentity.botId } : {}),
  });

  const routes = [...operationalRoutes(routeDeps), alerts.route];
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

  // One run of each check at a time, shared by every report and gate that asks within the cache window (issue 18).
  const runner = sharedCheckRunner({
    context: checkContext,
    timeoutMs: (id) => timeoutFor(config, id),
    cacheMs: config.limits.resultCacheMs,
    onResult: (r, context) => metrics.recordCheck(r, environments.nameOf(context)),
  });
  const limits = createRequestLimits(config.limits);
  const { service, journal, dispatcher, runGateChecks, isApprover, knownApprover, approversOffline } = createRecovery({
    config,
    db,
    metrics,
    checks,
    now,
    newId,
    sandbox,
    scrub,
    runner,
    logger: deps.logger,
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
    ...(deps.botIdentity ? { botId: deps.botIdentity.botId } : {}),
  });
  // Built after the recovery wiring (it needs the gate policy); the callbacks above only run once the app serves.
  const homePublisher: HomePublisher = createHomePublisher({
    db,
    metrics,
    workerId,
    logger: deps.logger,
    client: app.client,
    intervalMs: config.slack.homeUpdateIntervalMs,
    content: createHomeContent({
      db,
      client: app.client,
      metrics,
      logger: deps.logger,
      policy: service.policy,
      sandbox,
      now,
      environments: environmentNames(config),
      defaultEnvironment: config.defaultEnvironment,
    }),
  });
  const retention = createRetention({ db, days: config.state.retentionDays, logger: deps.logger });
  let metricsHttp: Server | undefined;

  const reportStore = dbReportStore(db);
  const statusDeps: StatusRunDeps = {
    checks,
    context: checkContext,
    // A finished report changes every Home's "last status report" line.
    store: {
      ...reportStore,
      save: async (r) => {
        await reportStore.save(r);
        if (r.complete) homePublisher.poke();
      },
    },
    metrics,
    logger: deps.logger,
    timeoutMs: (id) => timeoutFor(config, id),
    updateIntervalMs: config.slack.reportUpdateIntervalMs,
    sandbox,
    newId,
    contextFor: (environment) => environments.contextFor(environment),
    runner,
    limits,
    // The same window as the result cache: within it a second report would show the same results anyway.
    joinWithinMs: config.limits.resultCacheMs,
    recent: recentReports(config.limits.resultCacheMs, () => now().getTime()),
  };
  const schedules = createSchedules({
    config,
    db,
    logger: deps.logger,
    metrics,
    checks,
    checkContext,
    budget,
    policy: service.policy,
    scrub,
    contextFor: (environment) => environments.contextFor(environment),
    client: () => app.client,
    reports: statusDeps.store,
    now,
    newId,
    workerId,
    sandbox,
    ...(deps.botIdentity ? { botId: deps.botIdentity.botId } : {}),
    onQueued: () => dispatcher.poke(),
  });
  const reportSweeper = createReportSweeper({ store: statusDeps.store, client: app.client, metrics, logger: deps.logger });
  const listenerDeps = { logger: deps.logger, metrics };
  const subcommands: Subcommand[] = [
    statusCommand({ ...statusDeps, pickEnvironment, environments: environmentNames(config) }, schedules.statusControl),
    recoverCommand({ service, now, pickEnvironment, approversOffline }),
    drillCommand({ service, now, pickEnvironment }),
    troubleshootCommand({ pickEnvironment }),
    noteCommand({ service, limits }),
    cancelCommand({ service, approversOffline }),
    handoffCommand({ service, approversOffline }),
    summaryCommand({ service, now }),
    timelineCommand({ db, metrics: deps.metrics, logger: deps.logger, policy: service.policy, now }),
    watchCommand({
      db,
      service,
      now,
      defaultInterval: schedules.intervalFor,
      onChanged: () => {
        dispatcher.poke();
        void schedules.scheduler.runNow();
      },
    }),
  ];
  registerCommands(app, subcommands, {
    ...listenerDeps,
    cleanAnswer: (answer) => cleanArguments({ ...answer }, scrub, true),
  });
  registerStatusActions(app, statusDeps);
  registerTroubleshoot(app, { ...statusDeps, environmentFor: (channelId) => channelEnvironment(config, channelId) });
  registerStartRecovery(app, { ...listenerDeps, service, statusDeps, now });
  registerGateActions(app, { ...listenerDeps, service, runGateChecks, isApprover, approversOffline, sandbox, limits });
  registerOverrideModal(app, { ...listenerDeps, service, knownApprover });
  registerHandoffModal(app, { ...listenerDeps, service, sandbox });
  registerAppHome(app, { ...listenerDeps, home: homePublisher });
  registerFindingAck(app, { ...listenerDeps, service, isApprover, knownApprover, sandbox });
  registerAddToLog(app, { ...listenerDeps, service, limits });
  registerRemediation(app, {
    ...listenerDeps,
    service,
    journal,
    context: checkContext,
    contextFor: (e) => environments.contextFor(e),
    now,
    exclusive: createExclusiveRunner({ db, holder: workerId, now }),
  });
  registerAlertButtons(app, { ...listenerDeps, service, statusDeps, environmentFor: (channelId) => channelEnvironment(config, channelId) });
  if (sandbox && config.alerts.channel)
    registerAlertSample(app, { ...listenerDeps, receiver: alerts.receiverDeps, channel: config.alerts.channel });
  app.error(async (err) => {
    deps.logger.error({ err }, 'unhandled error in a listener');
    await Promise.resolve();
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
      void dispatcher.runNow(); // finish what an earlier process left pending
      retention.start();
      reportSweeper.start();
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
    flushAlerts: () => alerts.delivery.flush(),
    flushHome: () => homePublisher.flush(),
    runSchedules: () => schedules.scheduler.runNow(),
    abandonSchedules: () => schedules.scheduler.abandon(),
    idle,
  };
}
