// Caracal's 21 alerts as shipped in its Helm chart (infra/helm/caracal/templates/prometheusrule.yaml, thresholds
// from values.yaml alertRules.* defaults; caracal-ops.md §9.1), each mapped to the checks that confirm it, the
// recovery gate where the runbook handles it, and its failure-matrix rows.
import type { Gate } from './gates.ts';
import type { MatrixRow } from './failure-matrix.ts';

export type AlertSeverity = 'warning' | 'critical';
export type AlertComponent = 'sts' | 'gateway' | 'audit' | 'api' | 'database' | 'platform';

export interface CaracalAlert {
  /** The PrometheusRule's `for`, as written there. */
  for: string;
  /** The expression with the chart's default thresholds filled in (`caracal` as the release fullname). */
  expr: string;
  severity: AlertSeverity;
  component: AlertComponent;
  summary: string;
  /** Check ids (src/checks/registry.ts) that confirm or clear the alert. */
  checks: readonly string[];
  /** The recovery gate whose checks and actions handle it. */
  gate: Exclude<Gate, 'freeze' | 'resume'>;
  matrix: readonly MatrixRow[];
}

export const CARACAL_ALERTS = {
  CaracalSTSOPACompileErrors: {
    expr: 'increase(caracal_sts_opa_compile_errors_total[5m]) > 0',
    for: '2m',
    severity: 'warning',
    component: 'sts',
    summary: 'STS OPA policy compilation is failing',
    checks: ['sts.policy'],
    gate: 'safety',
    matrix: ['sts'],
  },
  CaracalSTSPolicyBundleStale: {
    expr: 'caracal_sts_opa_max_policy_age_seconds > 300',
    for: '5m',
    severity: 'warning',
    component: 'sts',
    summary: 'STS policy bundle age exceeds the configured threshold',
    checks: ['sts.policy', 'redis.backlog'],
    gate: 'safety',
    matrix: ['sts'],
  },
  CaracalSTSProviderRefreshErrors: {
    expr: 'increase(caracal_sts_provider_refresh_errors_total[5m]) > 0',
    for: '2m',
    severity: 'warning',
    component: 'sts',
    summary: 'STS provider refresh coordination is failing',
    checks: ['redis.reachable', 'services.ready'],
    gate: 'services',
    matrix: ['sts', 'redis'],
  },
  CaracalSTSProviderCircuitOpen: {
    expr: 'increase(caracal_sts_provider_circuit_open_total[5m]) > 0',
    for: '2m',
    severity: 'warning',
    component: 'sts',
    summary: 'STS provider refresh circuit is opening',
    checks: ['services.ready'],
    gate: 'services',
    matrix: ['sts'],
  },
  CaracalAuditDLQNonEmpty: {
    expr: 'caracal_audit_dlq_size > 0',
    for: '2m',
    severity: 'warning',
    component: 'audit',
    summary: 'Audit dead-letter queue is non-empty',
    checks: ['audit.dlq', 'redis.backlog'],
    gate: 'evidence',
    matrix: ['audit'],
  },
  CaracalAuditDLQGrowth: {
    expr: 'increase(caracal_audit_dlq_size[10m]) > 0',
    for: '5m',
    severity: 'critical',
    component: 'audit',
    summary: 'Audit dead-letter queue is growing',
    checks: ['audit.dlq', 'redis.backlog', 'postgres.reachable'],
    gate: 'evidence',
    matrix: ['audit'],
  },
  CaracalAuditConsumerLagHigh: {
    expr: 'caracal_audit_consumer_lag > 1000',
    for: '5m',
    severity: 'warning',
    component: 'audit',
    summary: 'Audit consumer lag is high',
    checks: ['redis.backlog', 'services.ready'],
    gate: 'evidence',
    matrix: ['audit', 'redis'],
  },
  CaracalGatewayAuditReplayBacklogOld: {
    expr: 'caracal_gateway_audit_replay_oldest_age_seconds > 300',
    for: '5m',
    severity: 'warning',
    component: 'gateway',
    summary: 'Gateway audit replay backlog is aging',
    checks: ['audit.replay', 'redis.reachable'],
    gate: 'evidence',
    matrix: ['audit', 'redis'],
  },
  CaracalSTSAuditReplayBacklogOld: {
    expr: 'caracal_sts_audit_replay_oldest_age_seconds > 300',
    for: '5m',
    severity: 'warning',
    component: 'sts',
    summary: 'STS audit replay backlog is aging',
    checks: ['audit.replay', 'redis.reachable'],
    gate: 'evidence',
    matrix: ['audit', 'redis'],
  },
  CaracalGatewayAuditEvidenceLost: {
    expr: 'caracal_gateway_audit_dropped_total > 0',
    for: '0m',
    severity: 'critical',
    component: 'gateway',
    summary: 'Gateway audit evidence was irrecoverably lost',
    checks: ['audit.replay', 'services.ready'],
    gate: 'evidence',
    matrix: ['auditLoss'],
  },
  CaracalSTSAuditEvidenceLost: {
    expr: 'caracal_sts_audit_dropped_total > 0',
    for: '0m',
    severity: 'critical',
    component: 'sts',
    summary: 'STS audit evidence was irrecoverably lost',
    checks: ['audit.replay', 'services.ready'],
    gate: 'evidence',
    matrix: ['auditLoss'],
  },
  CaracalAuditTamperDetected: {
    expr: 'increase(caracal_audit_tamper_mismatch_total[5m]) + increase(caracal_audit_tamper_chain_breaks_total[5m]) + increase(caracal_audit_tamper_hmac_failures_total[5m]) > 0',
    for: '0m',
    severity: 'critical',
    component: 'audit',
    summary: 'Audit tamper evidence detected',
    checks: ['audit.tamper'],
    gate: 'safety',
    matrix: ['audit'],
  },
  CaracalAPIOutboxDeadMessages: {
    expr: 'caracal_api_outbox_dead_total > 0',
    for: '2m',
    severity: 'critical',
    component: 'api',
    summary: 'API transactional outbox has abandoned messages',
    checks: ['outbox.api', 'redis.reachable', 'redis.streams'],
    gate: 'evidence',
    matrix: ['redis'],
  },
  CaracalAPIOutboxPendingOldest: {
    expr: 'caracal_api_outbox_oldest_pending_age_seconds > 300',
    for: '5m',
    severity: 'warning',
    component: 'api',
    summary: 'API transactional outbox is not draining promptly',
    checks: ['outbox.api', 'redis.reachable', 'postgres.reachable'],
    gate: 'evidence',
    matrix: ['postgres', 'redis'],
  },
  CaracalGatewaySTSExchangeErrors: {
    expr: 'increase(caracal_gateway_sts_exchange_errors_total[5m]) > 0',
    for: '2m',
    severity: 'warning',
    component: 'gateway',
    summary: 'Gateway cannot reliably exchange mandates with STS',
    checks: ['services.ready', 'sts.jwks'],
    gate: 'services',
    matrix: ['gateway', 'sts'],
  },
  CaracalGatewaySTSCircuitOpen: {
    expr: 'caracal_gateway_sts_circuit_open > 0',
    for: '1m',
    severity: 'critical',
    component: 'gateway',
    summary: 'Gateway STS circuit is open',
    checks: ['services.ready', 'sts.jwks'],
    gate: 'services',
    matrix: ['sts', 'gateway'],
  },
  CaracalGatewayRevocationSnapshotStale: {
    expr: 'caracal_gateway_revocation_snapshot_fresh <= 0',
    for: '2m',
    severity: 'critical',
    component: 'gateway',
    summary: 'Gateway revocation snapshot is stale',
    checks: ['gateway.revocation', 'postgres.reachable'],
    gate: 'safety',
    matrix: ['gateway', 'postgres'],
  },
  CaracalGatewayRevocationPropagationLag: {
    expr: 'caracal_gateway_revocation_propagation_seconds > 30',
    for: '2m',
    severity: 'critical',
    component: 'gateway',
    summary: 'Gateway revocation propagation is delayed',
    checks: ['gateway.revocation', 'redis.backlog'],
    gate: 'safety',
    matrix: ['gateway', 'redis'],
  },
  CaracalGatewayRevocationReloadErrors: {
    expr: 'increase(caracal_gateway_revocation_reload_errors_total[5m]) > 0',
    for: '2m',
    severity: 'critical',
    component: 'gateway',
    summary: 'Gateway revocation snapshot reloads are failing',
    checks: ['gateway.revocation', 'postgres.reachable'],
    gate: 'safety',
    matrix: ['gateway', 'postgres'],
  },
  CaracalPostgresPoolSaturation: {
    expr: 'max by (service) (caracal_db_pool_in_use_ratio) > 0.9',
    for: '5m',
    severity: 'warning',
    component: 'database',
    summary: 'Postgres connection pool is near saturation',
    checks: ['postgres.reachable', 'services.ready'],
    gate: 'storage',
    matrix: ['postgres'],
  },
  CaracalReadinessFlapping: {
    expr: 'changes(kube_pod_container_status_ready{pod=~"caracal-.*"}[10m]) > 4',
    for: '5m',
    severity: 'warning',
    component: 'platform',
    summary: 'Caracal pod readiness is flapping',
    checks: ['services.ready', 'postgres.reachable', 'redis.reachable'],
    gate: 'services',
    matrix: ['postgres', 'redis'],
  },
} as const satisfies Record<string, CaracalAlert>;

export type CaracalAlertName = keyof typeof CARACAL_ALERTS;
export const CARACAL_ALERT_NAMES = Object.keys(CARACAL_ALERTS) as CaracalAlertName[];

export function caracalAlert(name: string): (CaracalAlert & { name: CaracalAlertName }) | undefined {
  return Object.hasOwn(CARACAL_ALERTS, name) ? { name: name as CaracalAlertName, ...CARACAL_ALERTS[name as CaracalAlertName] } : undefined;
}

/** Caracal's docs page section for an alert (the rule's runbook_url). */
export function runbookUrl(name: string): string {
  return `https://docs.caracal.run/operations/alerts/#${name.toLowerCase()}`;
}
