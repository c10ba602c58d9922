// Prometheus metrics for the bot itself, on a registry passed in (no global default registry).
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CheckResult } from './checks/types.ts';

export interface Metrics {
  registry: Registry;
  commands: Counter<'subcommand'>;
  actions: Counter<'action'>;
  checkDuration: Histogram<'check'>;
  checkOutcomes: Counter<'check' | 'status'>;
  slackApiErrors: Counter<'method' | 'error'>;
  recordCheck(result: CheckResult): void;
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
    labelNames: ['check'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [registry],
  });
  const checkOutcomes = new Counter({
    name: 'caracal_chatops_check_outcomes_total',
    help: 'Check results by check and status (pass, warn, fail, error)',
    labelNames: ['check', 'status'] as const,
    registers: [registry],
  });
  const slackApiErrors = new Counter({
    name: 'caracal_chatops_slack_api_errors_total',
    help: 'Slack Web API calls that failed, by method and error code',
    labelNames: ['method', 'error'] as const,
    registers: [registry],
  });
  return {
    registry,
    commands,
    actions,
    checkDuration,
    checkOutcomes,
    slackApiErrors,
    recordCheck(result) {
      checkDuration.observe({ check: result.id }, result.durationMs / 1000);
      checkOutcomes.inc({ check: result.id, status: result.status });
    },
  };
}
