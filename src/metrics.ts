// Prometheus metrics for the bot itself, on a registry passed in (no global default registry).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CheckResult } from './domain/check-result.ts';

export interface Metrics {
  registry: Registry;
  commands: Counter<'subcommand'>;
  actions: Counter<'action'>;
  checkDuration: Histogram<'check' | 'environment'>;
  checkOutcomes: Counter<'check' | 'status' | 'environment'>;
  slackApiErrors: Counter<'method' | 'error'>;
  /** Deliveries marked failed (each replaced by a placeholder), by Slack's error. */
  deliveriesFailed: Counter<'reason'>;
  /** Read the outbox's state when /metrics is scraped (queued, failed, oldest queued age, paused channels). */
  observeDeliveries(source: () => Promise<DeliveryGauges>): void;
  /** `environment`: the Caracal deployment checked (config `environments`); the default one when not given. */
  recordCheck(result: CheckResult, environment?: string): void;
  /** Scheduled jobs (watch, reminders, status) run or failed, by kind. */
  scheduleJobs: Counter<'kind' | 'outcome'>;
  /**
   * What the scheduler saw due at the start of a pass: jobs per kind and the oldest one's due time. A replica that
   * does not hold the scheduler lease reports nothing due, so the sum over replicas is the truth.
   */
  observeScheduleDue(due: readonly ScheduleDue[], now: Date): void;
}

export interface ScheduleDue {
  kind: string;
  count: number;
  oldestDueAt: Date;
}

/** Every kind is reported, 0 when none is due, so a drained queue reads 0 rather than its last value. */
const SCHEDULE_KINDS = ['watch', 'reminders', 'status'] as const;

export interface DeliveryGauges {
  queued: number;
  failed: number;
  oldestQueuedSeconds: number;
  pausedChannels: number;
  /** Requests saved before their ack and not yet handled (slack/inbox.ts). */
  inboxWaiting: number;
  inboxOldestSeconds: number;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'caracal_chatops_' });
  const commands = new Counter({
    name: 'caracal_chatops_commands_total',
    help: '/caracal commands received, by subcommand',
    labelNames: ['subcommand'] as const,
    registers: [registry],
  });
  const actions = new Counter({
    name: 'caracal_chatops_actions_total',
    help: 'Button clicks received, by action id',
    labelNames: ['action'] as const,
    registers: [registry],
  });
  const checkDuration = new Histogram({
    name: 'caracal_chatops_check_duration_seconds',
    help: 'Duration of each reconciliation check',
    labelNames: ['check', 'environment'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [registry],
  });
  const checkOutcomes = new Counter({
    name: 'caracal_chatops_check_outcomes_total',
    help: 'Check results by check and status (pass, warn, fail, error)',
    labelNames: ['check', 'status', 'environment'] as const,
    registers: [registry],
  });
  const slackApiErrors = new Counter({
    name: 'caracal_chatops_slack_api_errors_total',
    help: 'Slack Web API calls that failed, by method and error code',
    labelNames: ['method', 'error'] as const,
    registers: [registry],
  });
  const deliveriesFailed = new Counter({
    name: 'caracal_chatops_deliveries_failed_total',
    help: 'Slack messages refused and replaced by a placeholder, by error',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  let source: (() => Promise<DeliveryGauges>) | undefined;
  let last: Promise<DeliveryGauges | undefined> | undefined;
  // One read of the outbox and the inbox per scrape, shared by their gauges.
  const read = (key: keyof DeliveryGauges) =>
    async function (this: Gauge) {
      last ??= (source?.() ?? Promise.resolve(undefined)).catch(() => undefined).finally(() => setTimeout(() => (last = undefined), 0));
      const s = await last;
      if (s) this.set(s[key]);
    };
  const gauge = (name: string, help: string, key: keyof DeliveryGauges) =>
    new Gauge({ name, help, registers: [registry], collect: read(key) });
  gauge('caracal_chatops_deliveries_queued', 'Slack deliveries waiting in the outbox', 'queued');
  gauge('caracal_chatops_deliveries_failed', 'Slack deliveries marked failed (replaced by a placeholder), still retained', 'failed');
  gauge('caracal_chatops_deliveries_oldest_queued_seconds', 'Age of the oldest queued Slack delivery', 'oldestQueuedSeconds');
  const scheduleJobs = new Counter({
    name: 'caracal_chatops_schedule_jobs_total',
    help: 'Scheduled jobs this replica ran (outcome run) or that threw and are retried later (outcome failed), by kind',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const scheduleDue = new Gauge({
    name: 'caracal_chatops_schedule_jobs_due',
    help: 'Scheduled jobs due at the start of the last scheduler pass, by kind (0 on replicas without the scheduler lease)',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const scheduleLag = new Gauge({
    name: 'caracal_chatops_schedule_lag_seconds',
    help: 'How late the oldest due scheduled job was at the start of the last scheduler pass (0 when none was due)',
    registers: [registry],
  });
  gauge('caracal_chatops_inbox_requests', 'Clicks and commands saved before their ack and not handled yet', 'inboxWaiting');
  gauge(
    'caracal_chatops_inbox_oldest_seconds',
    'Age of the oldest saved request: past the 10 s hold, its replica died after the ack and a sweep takes it over',
    'inboxOldestSeconds',
  );
  gauge(
    'caracal_chatops_slack_channels_paused',
    'Channels whose deliveries are paused because Slack refuses the channel or workspace',
    'pausedChannels',
  );
  return {
    registry,
    deliveriesFailed,
    observeDeliveries(fn) {
      source = fn;
    },
    commands,
    actions,
    checkDuration,
    checkOutcomes,
    slackApiErrors,
    scheduleJobs,
    observeScheduleDue(due, now) {
      for (const kind of SCHEDULE_KINDS) scheduleDue.set({ kind }, due.find((d) => d.kind === kind)?.count ?? 0);
      const oldest = Math.min(...due.map((d) => d.oldestDueAt.getTime()));
      scheduleLag.set(Number.isFinite(oldest) ? Math.max(0, (now.getTime() - oldest) / 1000) : 0);
    },
    recordCheck(result, environment = 'default') {
      checkDuration.observe({ check: result.id, environment }, result.durationMs / 1000);
      checkOutcomes.inc({ check: result.id, status: result.status, environment });
    },
  };
}
