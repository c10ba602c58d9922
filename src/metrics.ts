// Prometheus metrics for the bot itself, on a registry passed in (no global default registry).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CheckResult } from './checks/types.ts';

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
}

export interface DeliveryGauges {
  queued: number;
  failed: number;
  oldestQueuedSeconds: number;
  pausedChannels: number;
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
  // One read of the outbox per scrape, shared by the four gauges.
  const read = (key: keyof DeliveryGauges) => async function (this: Gauge) {
    last ??= (source?.() ?? Promise.resolve(undefined)).catch(() => undefined).finally(() => setTimeout(() => (last = undefined), 0));
    const s = await last;
    if (s) this.set(s[key]);
  };
  const gauge = (name: string, help: string, key: keyof DeliveryGauges) =>
    new Gauge({ name, help, registers: [registry], collect: read(key) });
  gauge('caracal_chatops_deliveries_queued', 'Slack deliveries waiting in the outbox', 'queued');
  gauge('caracal_chatops_deliveries_failed', 'Slack deliveries marked failed (replaced by a placeholder), still retained', 'failed');
  gauge('caracal_chatops_deliveries_oldest_queued_seconds', 'Age of the oldest queued Slack delivery', 'oldestQueuedSeconds');
  gauge('caracal_chatops_slack_channels_paused', 'Channels whose deliveries are paused because Slack refuses the channel or workspace', 'pausedChannels');
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
    recordCheck(result, environment = 'default') {
      checkDuration.observe({ check: result.id, environment }, result.durationMs / 1000);
      checkOutcomes.inc({ check: result.id, status: result.status, environment });
    },
  };
}
