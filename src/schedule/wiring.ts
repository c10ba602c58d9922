// Builds the scheduler and its jobs from the configuration: watch, the reminder sweep and scheduled status, sharing
// one source of gate check results under the /ready budget, and the controls the commands use.
import type { WebClient } from '@slack/web-api';
import { runChecks } from '../checks/executor.ts';
import type { CallBudget } from '../checks/targets/call-budget.ts';
import type { CheckContext, CheckDefinition } from '../checks/types.ts';
import type { CheckResult } from '../domain/check-result.ts';
import type { Gate } from '../domain/gates.ts';
import { timeoutFor, type Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { GatePolicy } from '../recovery/machine.ts';
import type { Scrub } from '../redact.ts';
import type { ReportStore } from '../domain/report.ts';
import type { Db } from '../store/db.ts';
import { deleteSchedule, putSchedule } from '../store/schedules.ts';
import { createGateResults } from './gate-results.ts';
import { remindersJob } from './reminders.ts';
import { createScheduler } from './runner.ts';
import { statusScheduleJob, type StatusScheduleControl } from './status-schedule.ts';
import { watchJob } from './watch.ts';

export interface ScheduleWiringDeps {
  config: Config;
  db: Db;
  logger: Logger;
  metrics: Metrics;
  checks: readonly CheckDefinition[];
  /** The bot's check context, every call counted on `budget`. */
  checkContext: CheckContext;
  /** A named environment's check context (its own Caracal targets); undefined: the default one. */
  contextFor?: (environment: string | undefined) => CheckContext;
  budget: CallBudget;
  policy: GatePolicy;
  scrub: Scrub;
  /** A Web API client whose calls cross the egress (scrubbed, fitted). */
  client: () => WebClient;
  reports: ReportStore;
  now: () => Date;
  newId: () => string;
  workerId: string;
  sandbox: boolean;
  botId?: string;
  /** Run events were queued for Slack: deliver now. */
  onQueued: () => void;
}

const minutes = (m: number) => m * 60_000;

/** The configured watch interval of a gate (the run's open one), before `/caracal watch` changes it per run. */
export function watchIntervalFor(s: Config['schedules']): (gate: string | undefined) => number {
  return (gate) => minutes((gate ? s.watch.gates[gate as Gate] : undefined) ?? s.watch.everyMinutes);
}

export function createSchedules(deps: ScheduleWiringDeps) {
  const { config, db } = deps;
  const s = config.schedules;
  const intervalFor = watchIntervalFor(s);
  const results = createGateResults({
    run: (gate: Gate, environment: string | undefined): Promise<CheckResult[]> => {
      const ids = new Set(deps.policy.requiredChecks(gate));
      const context = deps.contextFor?.(environment) ?? deps.checkContext;
      return runChecks(
        deps.checks.filter((c) => ids.has(c.id)),
        context,
        {
          timeoutMs: (id) => timeoutFor(config, id),
          onResult: (r) => deps.metrics.recordCheck(r, environment ?? config.defaultEnvironment),
        },
      );
    },
    now: deps.now,
    budget: deps.budget,
    readyPerMinute: s.readyCallsPerMinute,
    reuseMs: s.reuseResultsSeconds * 1000,
  });
  const scheduler = createScheduler({
    db,
    workerId: deps.workerId,
    now: deps.now,
    logger: deps.logger,
    onQueued: deps.onQueued,
    metrics: deps.metrics,
    watchFirstMs: minutes(s.watch.everyMinutes),
    sweepMs: s.reminders.sweepSeconds * 1000,
    jobs: {
      watch: watchJob({ db, policy: deps.policy, results, intervalFor, approvers: config.recovery.approvers, scrub: deps.scrub }),
      reminders: remindersJob({
        db,
        claimIdleMs: minutes(s.reminders.claimIdleMinutes),
        releaseAfterMs: minutes(s.reminders.releaseAfterMinutes),
        runIdleMs: minutes(s.reminders.runIdleMinutes),
      }),
      status: statusScheduleJob({
        db,
        client: deps.client(),
        checks: deps.checks,
        results,
        store: deps.reports,
        metrics: deps.metrics,
        logger: deps.logger,
        sandbox: deps.sandbox,
        newId: deps.newId,
        ...(deps.botId ? { botId: deps.botId } : {}),
      }),
    },
  });
  const statusControl: StatusScheduleControl = {
    async every(channelId, intervalMs, userId, environment) {
      const now = deps.now();
      // A new schedule starts over: the environment is all it remembers (a change of environment is a new report).
      await putSchedule(db, {
        kind: 'status',
        key: channelId,
        channelId,
        intervalMs,
        nextAt: now,
        createdBy: userId,
        now,
        state: { environment: environment ?? config.defaultEnvironment },
      });
      void scheduler.runNow();
    },
    stop: (channelId) => deleteSchedule(db, 'status', channelId),
  };
  return { scheduler, results, statusControl, intervalFor, pollMs: s.pollSeconds * 1000 };
}
