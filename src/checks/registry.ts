// Every reconciliation check, in the runbook's order. One file each; this list is the only place they meet.
import type { CheckDefinition } from './types.ts';
import type { Gate } from '../domain/gates.ts';
import { postgresReachable } from './postgres/reachable.ts';
import { postgresMigrations } from './postgres/migrations.ts';
import { postgresTables } from './postgres/tables.ts';
import { outboxApi } from './postgres/outbox-api.ts';
import { outboxCoordinator } from './postgres/outbox-coordinator.ts';
import { redisReachable } from './redis/reachable.ts';
import { redisStreams } from './redis/streams.ts';
import { redisBacklog } from './redis/backlog.ts';
import { redisDeadStreams } from './redis/dead-streams.ts';
import { auditDlq } from './redis/audit-dlq.ts';
import { servicesReady } from './http/services-ready.ts';
import { stsJwks } from './http/sts-jwks.ts';
import { auditReplay } from './http/audit-replay.ts';
import { gatewayRevocation } from './http/gateway-revocation.ts';
import { stsPolicy } from './http/sts-policy.ts';
import { auditTamper } from './http/audit-tamper.ts';
import { postgresConnections } from './postgres/connections.ts';
import { gatewaySts } from './http/gateway-sts.ts';
import { coordinatorStats } from './http/coordinator-stats.ts';
import { controlGate } from './http/control-gate.ts';
import { auditIngestAlerts } from './postgres/ingest-alerts.ts';
import { adminAuth, adminConfig } from './http/admin-auth.ts';
import { backlogMetrics } from './http/backlog-metrics.ts';
import { clockSkew } from './http/clock-skew.ts';
import { servicesLive } from './http/liveness.ts';
import { stsEvaluation } from './http/sts-evaluation.ts';
import { zonesCheck } from './http/zones.ts';
import { resumeCanary } from './http/resume-canary.ts';
import { tlsCertificates } from './preflight/certificates.ts';
import { deploymentSettings } from './preflight/settings.ts';

export const ALL_CHECKS: readonly CheckDefinition[] = [
  postgresReachable,
  postgresMigrations,
  postgresTables,
  postgresConnections,
  redisReachable,
  redisStreams,
  servicesReady,
  stsJwks,
  gatewaySts,
  coordinatorStats,
  controlGate,
  outboxApi,
  outboxCoordinator,
  redisBacklog,
  redisDeadStreams,
  auditDlq,
  auditReplay,
  gatewayRevocation,
  stsPolicy,
  auditTamper,
  auditIngestAlerts,
  // What Caracal's own diagnostics check (issue 19), each on its runbook gate.
  servicesLive,
  clockSkew,
  adminConfig,
  adminAuth,
  deploymentSettings,
  tlsCertificates,
  backlogMetrics,
  stsEvaluation,
  zonesCheck,
  resumeCanary,
];

export function checksForGate(gate: Gate): CheckDefinition[] {
  return ALL_CHECKS.filter((c) => c.gates.includes(gate));
}

export function findCheck(id: string): CheckDefinition | undefined {
  return ALL_CHECKS.find((c) => c.id === id);
}
