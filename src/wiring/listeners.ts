// Everything the app answers in Slack: the deps the status reports share, the /caracal subcommands, and the
// buttons, modals and App Home listeners, registered on the Bolt app. Apart from createApp (app.ts), which builds
// the services these listeners call, so neither list hides the other.
import type { WiringBase } from './base.ts';
import type { App } from '@slack/bolt';
import { registerAddToLog } from '../actions/add-to-log.ts';
import { registerAlertButtons } from '../actions/alert-buttons.ts';
import { registerAppHome } from '../actions/app-home.ts';
import { registerFindingAck } from '../actions/finding-ack.ts';
import { registerGateActions } from '../actions/gate-buttons.ts';
import { registerHandoffModal } from '../actions/handoff-modal.ts';
import { registerOverrideModal } from '../actions/override-modal.ts';
import { registerRemediation } from '../actions/remediate.ts';
import { registerStartRecovery } from '../actions/start-recovery.ts';
import { registerStatusActions } from '../actions/status-buttons.ts';
import { registerTroubleshoot } from '../actions/troubleshoot.ts';
import { registerAlertSample } from '../alerts/sample.ts';
import type { createAlerts } from '../alerts/wiring.ts';
import type { EnvironmentContexts } from '../checks/environments.ts';
import type { CheckRunner } from '../checks/shared-runner.ts';
import type { CheckContext, CheckDefinition } from '../checks/types.ts';
import { cancelCommand } from '../commands/cancel.ts';
import { drillCommand } from '../commands/drill.ts';
import type { EnvironmentPicker } from '../commands/environment.ts';
import { handoffCommand } from '../commands/handoff.ts';
import { registerCommands } from '../commands/index.ts';
import { noteCommand } from '../commands/note.ts';
import { recoverCommand } from '../commands/recover.ts';
import { statusCommand } from '../commands/status.ts';
import { summaryCommand } from '../commands/summary.ts';
import { timelineCommand } from '../commands/timeline.ts';
import { troubleshootCommand } from '../commands/troubleshoot.ts';
import type { Subcommand } from '../commands/types.ts';
import { watchCommand } from '../commands/watch.ts';
import { channelEnvironment, environmentNames, timeoutFor } from '../config.ts';
import { cleanArguments } from '../delivery/egress-fetch.ts';
import type { HomePublisher } from '../delivery/home-publisher.ts';
import type { Scrub } from '../redact.ts';
import { createExclusiveRunner } from '../remediation/exclusive.ts';
import { recentReports } from '../reports/recent-reports.ts';
import type { StatusRunDeps } from '../reports/status-run.ts';
import type { createSchedules } from '../schedule/wiring.ts';
import type { RequestLimits } from '../slack/request-limits.ts';
import type { RequestInbox } from '../slack/inbox.ts';
import { dbReportStore } from '../store/reports.ts';
import type { createRecovery } from './recovery.ts';

export interface StatusWiringDeps extends WiringBase {
  checks: readonly CheckDefinition[];
  checkContext: CheckContext;
  environments: EnvironmentContexts;
  runner: CheckRunner;
  limits: RequestLimits;
  homePublisher: HomePublisher;
  sandbox: boolean;
  newId: () => string;
  now: () => Date;
}

/** What every status report needs (the command, its buttons, the alert and recovery buttons that start one). */
export function statusRunDeps(deps: StatusWiringDeps): StatusRunDeps {
  const { config, now } = deps;
  const reportStore = dbReportStore(deps.db);
  return {
    checks: deps.checks,
    context: deps.checkContext,
    // A finished report changes every Home's "last status report" line.
    store: {
      ...reportStore,
      save: async (r) => {
        await reportStore.save(r);
        if (r.complete) deps.homePublisher.poke();
      },
    },
    metrics: deps.metrics,
    logger: deps.logger,
    timeoutMs: (id) => timeoutFor(config, id),
    updateIntervalMs: config.slack.reportUpdateIntervalMs,
    sandbox: deps.sandbox,
    newId: deps.newId,
    contextFor: (environment) => deps.environments.contextFor(environment),
    runner: deps.runner,
    limits: deps.limits,
    // The same window as the result cache: within it a second report would show the same results anyway.
    joinWithinMs: config.limits.resultCacheMs,
    recent: recentReports(config.limits.resultCacheMs, () => now().getTime()),
  };
}

export interface ListenerDeps extends WiringBase {
  checkContext: CheckContext;
  environments: EnvironmentContexts;
  pickEnvironment: EnvironmentPicker;
  statusDeps: StatusRunDeps;
  recovery: ReturnType<typeof createRecovery>;
  schedules: ReturnType<typeof createSchedules>;
  alerts: ReturnType<typeof createAlerts>;
  homePublisher: HomePublisher;
  limits: RequestLimits;
  scrub: Scrub;
  inbox: RequestInbox;
  workerId: string;
  sandbox: boolean;
  now: () => Date;
}

export function registerListeners(app: App, deps: ListenerDeps): void {
  const { config, db, metrics, now, sandbox, limits, statusDeps, schedules, environments, pickEnvironment } = deps;
  const { service, journal, dispatcher, runGateChecks, isApprover, knownApprover, approversOffline } = deps.recovery;
  const listenerDeps = { logger: deps.logger, metrics, inbox: deps.inbox };
  const subcommands: Subcommand[] = [
    statusCommand({ ...statusDeps, pickEnvironment, environments: environmentNames(config) }, schedules.statusControl),
    recoverCommand({ service, now, pickEnvironment, approversOffline }),
    drillCommand({ service, now, pickEnvironment }),
    troubleshootCommand({ pickEnvironment }),
    noteCommand({ service, limits }),
    cancelCommand({ service, approversOffline }),
    handoffCommand({ service, approversOffline }),
    summaryCommand({ service, now }),
    timelineCommand({ db, metrics, logger: deps.logger, policy: service.policy, now }),
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
    cleanAnswer: (answer) => cleanArguments({ ...answer }, deps.scrub, true),
  });
  registerStatusActions(app, statusDeps);
  registerTroubleshoot(app, { ...statusDeps, environmentFor: (channelId) => channelEnvironment(config, channelId) });
  registerStartRecovery(app, { ...listenerDeps, service, statusDeps, now });
  registerGateActions(app, { ...listenerDeps, service, runGateChecks, isApprover, approversOffline, sandbox, limits });
  registerOverrideModal(app, { ...listenerDeps, service, knownApprover });
  registerHandoffModal(app, { ...listenerDeps, service, sandbox });
  registerAppHome(app, { ...listenerDeps, home: deps.homePublisher });
  registerFindingAck(app, { ...listenerDeps, service, isApprover, knownApprover, sandbox });
  registerAddToLog(app, { ...listenerDeps, service, limits });
  registerRemediation(app, {
    ...listenerDeps,
    service,
    journal,
    context: deps.checkContext,
    contextFor: (e) => environments.contextFor(e),
    now,
    exclusive: createExclusiveRunner({ db, holder: deps.workerId, now }),
  });
  registerAlertButtons(app, { ...listenerDeps, service, statusDeps, environmentFor: (channelId) => channelEnvironment(config, channelId) });
  if (sandbox && config.alerts.channel)
    registerAlertSample(app, { ...listenerDeps, receiver: deps.alerts.receiverDeps, channel: config.alerts.channel });
  app.error(async (err) => {
    deps.logger.error({ err }, 'unhandled error in a listener');
    await Promise.resolve();
  });
}
