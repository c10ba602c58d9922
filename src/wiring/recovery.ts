// Builds the recovery side of the app: the gate policy from the configuration, the approver directory, the
// Slack outbox dispatcher with its renderers, the recovery service, and running a gate's checks.
import type { WiringBase } from './base.ts';
import type { Pacer } from '../delivery/pacer.ts';
import type { WebClient } from '@slack/web-api';
import { logEntryMessage, summaryText } from '../blocks/log-entry.ts';
import { runDashboardMessage } from '../blocks/run-dashboard.ts';
import type { CheckRunner } from '../checks/shared-runner.ts';
import type { CheckContext, CheckDefinition } from '../checks/types.ts';
import type { Gate } from '../domain/gates.ts';
import { createDispatcher } from '../delivery/dispatcher.ts';
import type { Logger } from '../logger.ts';
import { createApproverDirectory } from '../recovery/approvers.ts';
import type { GatePolicy } from '../recovery/machine.ts';
import type { GateCheck } from '../domain/run.ts';
import { createRecoveryService } from '../recovery/service.ts';
import { createActionJournal, lastActions } from '../recovery/actions.ts';
import { ACTION_TIMEOUT_MS } from '../actions/remediate.ts';
import type { Scrub } from '../redact.ts';
import type { Db } from '../store/db.ts';
import { listEvents } from '../store/events.ts';
import { firingAlerts } from '../alerts/store.ts';
import { criticalNames } from '../blocks/alert-run.ts';
import { BASELINE_TIMEOUT_MS, captureBaseline, type IncidentScope, type ResidueBaseline } from '../checks/residue/baseline.ts';
import { loadRunBaseline } from '../store/run-baselines.ts';
import { loadRun } from '../store/runs.ts';
import { slackCall } from '../slack/slack-call.ts';
import { watchSetting } from '../schedule/watch.ts';
import { watchIntervalFor } from '../schedule/wiring.ts';

export interface RecoveryWiringDeps extends WiringBase {
  checks: readonly CheckDefinition[];
  checkContext: CheckContext;
  /** Bolt's client (user group lookups). */
  slackClient: () => WebClient;
  /** The outbox's own client: no hidden retries, so the outbox honours Retry-After and its own backoff. */
  dispatchClient: WebClient;
  /** The process's one pacer of Slack calls (shared with the egress and alerts). */
  pacer: Pacer;
  workerId: string;
  /** The bot's bot_id when known: read-back trusts only its own messages. */
  botId?: string;
  sandbox: boolean;
  /** The check context of a run's environment (its own Caracal targets). */
  contextFor?: (environment: string | undefined) => CheckContext;
  /** The channel's default environment, for runs started without one. */
  environmentFor?: (channelId: string) => string;
  /** A run changed (its deliveries were queued): App Home follows. */
  onRunChanged?: () => void;
  /** The one scrubber of secrets, for stored event payloads. */
  scrub: Scrub;
  now: () => Date;
  newId: () => string;
  /** The app's single-flight runner: a gate's Run checks joins a status report's run of the same checks. */
  runner: CheckRunner;
}

/** The run the gate's checks are judged for: its start, its residue baseline and its latest deep verification. */
async function incidentScope(db: Db, runId: string): Promise<IncidentScope | undefined> {
  const run = await loadRun(db, runId);
  if (!run) return undefined;
  const residue = await loadRunBaseline(db, runId);
  const v = run.verification;
  return {
    startedAt: run.startedAt,
    residue,
    ...(v
      ? { verification: { at: v.at, clean: v.clean, hmacChecked: v.hmacChecked, rowsChecked: v.rowsChecked, findings: v.findings } }
      : {}),
  };
}

/** A run starts even when Caracal cannot be read: what the baseline could not read it names, and a bug is logged. */
async function boundedBaseline(ctx: CheckContext, logger: Logger): Promise<ResidueBaseline> {
  try {
    return await captureBaseline(ctx, AbortSignal.timeout(BASELINE_TIMEOUT_MS));
  } catch (err) {
    logger.error({ err }, 'could not take the residue baseline');
    return {
      v: 1,
      takenAt: ctx.now().toISOString(),
      stsCompileErrors: {},
      tamper: {},
      unread: ['everything: the bot failed while reading (see its log)'],
    };
  }
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
  const approvers = createApproverDirectory(config.recovery.approvers, {
    groupMembers: async (group) =>
      (await slackCall(metrics, 'usergroups.users.list', () => deps.slackClient().usergroups.users.list({ usergroup: group }))).users ?? [],
    logger: deps.logger,
  });
  const dashboardOptions = { sandbox: deps.sandbox, approvalsRequired: (g: Gate) => config.recovery.approvalsRequired[g] };
  const intervalFor = watchIntervalFor(config.schedules);
  const dispatcher = createDispatcher({
    db,
    client: deps.dispatchClient,
    logger: deps.logger,
    metrics,
    workerId: deps.workerId,
    postIntervalMs: config.slack.postIntervalMs,
    pacer: deps.pacer,
    leaseMs: config.slack.deliveryLeaseMs,
    pauseProbeMs: config.slack.pauseProbeMs,
    ...(deps.botId ? { botId: deps.botId } : {}),
    render: {
      // A finished run's dashboard and its last log entry carry the summary, computed from the events.
      dashboard: async (run) =>
        runDashboardMessage(
          run,
          {
            ...dashboardOptions,
            alerts: await firingAlerts(db, run.channelId),
            watch: await watchSetting(db, run.id, run.gates.find((g) => g.status === 'open')?.gate, intervalFor),
          },
          run.status === 'active' ? undefined : summaryText(await listEvents(db, run.id)),
          await lastActions(db, run.id, deps.now(), ACTION_TIMEOUT_MS),
        ),
      logEntry: async (event, run) =>
        logEntryMessage(event, run, {
          sandbox: deps.sandbox,
          ...(event.type === 'run_resumed' ? { events: await listEvents(db, run.id) } : {}),
        }),
    },
  });
  const isApprover = (userId: string) => approvers.isApprover(userId);
  const startPolicy = { who: config.recovery.startRuns, drillChannels: config.recovery.drillChannels };
  const service = createRecoveryService({
    db,
    policy,
    isApprover,
    startPolicy,
    now: deps.now,
    newId: deps.newId,
    scrub: deps.scrub,
    onDeliveriesQueued: () => {
      dispatcher.poke();
      deps.onRunChanged?.();
    },
    criticalAlerts: async (channelId) => criticalNames(await firingAlerts(db, channelId)),
    ...(deps.environmentFor ? { environmentFor: deps.environmentFor } : {}),
    captureBaseline: (environment) => boundedBaseline(deps.contextFor?.(environment) ?? deps.checkContext, deps.logger),
  });
  const journal = createActionJournal({
    db,
    now: deps.now,
    runningWindowMs: ACTION_TIMEOUT_MS,
    onQueued: () => {
      dispatcher.poke();
      deps.onRunChanged?.();
    },
  });
  /** A gate's checks against the run's own environment, judged against the run's residue baseline. */
  const runGateChecks = async (gate: Gate, run?: { id: string; environment?: string | undefined }): Promise<GateCheck[]> => {
    const ids = new Set(gateCheckIds(gate));
    const incident = run ? await incidentScope(db, run.id) : undefined;
    const base = deps.contextFor?.(run?.environment) ?? deps.checkContext;
    // A joined result keeps the start of the run that produced it: freshness and ordering judge that run. A run's
    // residue-judged context is a fresh copy, so its results are never joined with a report's or another run's.
    const results = await deps.runner.run(
      checks.filter((c) => ids.has(c.id)),
      undefined,
      incident ? { ...base, incident } : base,
    );
    return results.map(({ result: r, startedAt }) => ({
      checkId: r.id,
      status: r.status,
      summary: r.summary,
      startedAt,
      finishedAt: new Date(r.finishedAt),
      ...(r.findings ? { findings: r.findings } : {}),
    }));
  };
  return {
    service,
    journal,
    dispatcher,
    runGateChecks,
    isApprover,
    knownApprover: (userId: string) => approvers.knownApprover(userId),
    approversOffline: () => approvers.answersOffline(),
  };
}
