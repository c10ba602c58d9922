// Builds the recovery side of the app: the gate policy from the configuration, the approver directory, the
// Slack outbox dispatcher with its renderers, the recovery service, and running a gate's checks.
import type { WebClient } from '@slack/web-api';
import { logEntryMessage, summaryText } from '../blocks/log-entry.ts';
import { runDashboardMessage } from '../blocks/run-dashboard.ts';
import { runChecks } from '../checks/executor.ts';
import type { CheckContext, CheckDefinition, Gate } from '../checks/types.ts';
import { timeoutFor, type Config } from '../config.ts';
import { createDispatcher } from '../delivery/dispatcher.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { createApproverDirectory } from '../recovery/approvers.ts';
import type { GatePolicy } from '../recovery/machine.ts';
import type { GateCheck } from '../recovery/model.ts';
import { createRecoveryService } from '../recovery/service.ts';
import { createActionJournal, lastActions } from '../recovery/actions.ts';
import { ACTION_TIMEOUT_MS } from '../actions/remediate.ts';
import type { Scrub } from '../redact.ts';
import type { Db } from '../store/db.ts';
import { listEvents } from '../store/events.ts';
import { firingAlerts } from '../alerts/store.ts';
import { criticalNames } from '../blocks/alert-run.ts';

export interface RecoveryWiringDeps {
  config: Config;
  db: Db;
  metrics: Metrics;
  logger: Logger;
  checks: readonly CheckDefinition[];
  checkContext: CheckContext;
  /** Bolt's client (user group lookups). */
  slackClient: () => WebClient;
  /** The outbox's own client: no hidden retries, so the outbox honours Retry-After and its own backoff. */
  dispatchClient: WebClient;
  workerId: string;
  /** The bot's bot_id when known: read-back trusts only its own messages. */
  botId?: string;
  sandbox: boolean;
  /** The one scrubber of secrets, for stored event payloads. */
  scrub: Scrub;
  now: () => Date;
  newId: () => string;
}

export function createRecovery(deps: RecoveryWiringDeps) {
  const { config, db, checks, metrics } = deps;
  const gateCheckIds = (gate: Gate) =>
    gate === 'freeze' ? [] : checks.filter((c) => gate === 'resume' || c.gates.includes(gate)).map((c) => c.id);
  const policy: GatePolicy = {
    freshnessMs: config.recovery.freshnessMinutes * 60_000,
    approvalsRequired: config.recovery.approvalsRequired,
    requiredChecks: gateCheckIds,
  };
  const approvers = createApproverDirectory(config.recovery.approvers, { client: deps.slackClient, logger: deps.logger });
  const dashboardOptions = { sandbox: deps.sandbox, approvalsRequired: (g: Gate) => config.recovery.approvalsRequired[g] };
  const dispatcher = createDispatcher({
    db,
    client: deps.dispatchClient,
    logger: deps.logger,
    metrics,
    workerId: deps.workerId,
    postIntervalMs: config.slack.postIntervalMs,
    leaseMs: config.slack.deliveryLeaseMs,
    pauseProbeMs: config.slack.pauseProbeMs,
    ...(deps.botId ? { botId: deps.botId } : {}),
    render: {
      // A finished run's dashboard and its last log entry carry the summary, computed from the events.
      dashboard: async (run) =>
        runDashboardMessage(
          run, { ...dashboardOptions, alerts: await firingAlerts(db, run.channelId) },
          run.status === 'active' ? undefined : summaryText(await listEvents(db, run.id)),
          await lastActions(db, run.id, deps.now(), ACTION_TIMEOUT_MS),
        ),
      logEntry: async (event, run) => logEntryMessage(event, run, { sandbox: deps.sandbox, ...(event.type === 'run_resumed' ? { events: await listEvents(db, run.id) } : {}) }),
    },
  });
  const isApprover = (userId: string) => approvers.isApprover(userId);
  const startPolicy = { who: config.recovery.startRuns, drillChannels: config.recovery.drillChannels };
  const service = createRecoveryService({
    db, policy, isApprover, startPolicy, now: deps.now, newId: deps.newId, onDeliveriesQueued: () => dispatcher.poke(), scrub: deps.scrub,
    criticalAlerts: async (channelId) => criticalNames(await firingAlerts(db, channelId)),
  });
  const journal = createActionJournal({ db, now: deps.now, runningWindowMs: ACTION_TIMEOUT_MS, onQueued: () => dispatcher.poke() });
  const runGateChecks = async (gate: Gate): Promise<GateCheck[]> => {
    const ids = new Set(gateCheckIds(gate));
    const startedAt = deps.now();
    const results = await runChecks(checks.filter((c) => ids.has(c.id)), deps.checkContext, {
      timeoutMs: (id) => timeoutFor(config, id),
      onResult: (r) => metrics.recordCheck(r),
    });
    return results.map((r) => ({
      checkId: r.id, status: r.status, summary: r.summary, startedAt, finishedAt: new Date(r.finishedAt), ...(r.findings ? { findings: r.findings } : {}),
    }));
  };
  return { service, journal, dispatcher, runGateChecks, isApprover, knownApprover: (userId: string) => approvers.knownApprover(userId), approversOffline: () => approvers.answersOffline() };
}
