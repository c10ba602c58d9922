// The simulated Gateway (caracal-ops.md §1.3, §6, §9.2, §14.1): readiness, the revocation reload, its metrics in
// JSON and Prometheus text, and the proxied traffic the Resume canary sends through it.
import type { IncomingMessage } from 'node:http';
import { gatewayFresh, type GatewayPod } from './fake-caracal-pods.ts';
import { gatewayReady, type Answer } from './fake-caracal-readiness.ts';
import { bearerOf, GO_404, json, metricsGate, type PodEnv, type ServiceDef } from './fake-caracal-route-kit.ts';
import { ingestAudit } from './fake-caracal-state.ts';

function gatewayMetricsJson(p: GatewayPod): Record<string, unknown> {
  return {
    requests: 1000,
    requests_allowed: 990,
    requests_denied: 10,
    revocation_snapshot_fresh: gatewayFresh(p) ? 1 : 0,
    revocation_snapshot_age_seconds: p.snapshotAgeSeconds ?? 0,
    revocation_reload_errors: p.reloadErrors,
    revocation_reloads: p.reloads,
    revocation_propagation_seconds: 0.4,
    revocation_invalid_signatures: p.revocationInvalidSignatures,
    revocations_active: p.revocations,
    sts_circuit_open: p.stsCircuitOpen,
    sts_exchange_errors: p.stsExchangeErrors,
    audit_replay_files: p.replayFiles,
    audit_replay_bytes: p.replayFiles * 2048,
    audit_replay_oldest_age_seconds: p.replayOldestSeconds,
    audit_dropped: p.auditDropped,
  };
}

/** The Gateway's Prometheus text (§9.2): only what the checks and drills look at, in the exposition format. */
function gatewayPrometheus(p: GatewayPod): string {
  return [
    '# HELP caracal_db_pool_in_use_ratio Fraction of the Postgres pool in use.',
    '# TYPE caracal_db_pool_in_use_ratio gauge',
    `caracal_db_pool_in_use_ratio{service="gateway"} ${p.dbPoolInUseRatio}`,
    '# HELP caracal_gateway_sts_circuit_open Whether the STS exchange circuit is open.',
    '# TYPE caracal_gateway_sts_circuit_open gauge',
    `caracal_gateway_sts_circuit_open ${p.stsCircuitOpen}`,
    '# HELP caracal_gateway_revocation_reload_errors_total Failed revocation snapshot reloads.',
    '# TYPE caracal_gateway_revocation_reload_errors_total counter',
    `caracal_gateway_revocation_reload_errors_total ${p.reloadErrors}`,
    '',
  ].join('\n');
}

export function gatewayService(env: PodEnv, p: GatewayPod): ServiceDef {
  const { state } = env;
  return {
    notFound: () => GO_404,
    routes: [
      { method: 'GET', path: '/health', handle: () => json(200, '') },
      { method: 'GET', path: '/ready', handle: () => gatewayReady(state.deployment, p) },
      {
        method: 'POST',
        path: '/internal/revocations/reload',
        handle: ({ req }) => {
          if (state.tokens.adminToken === null || bearerOf(req) !== state.tokens.adminToken) return GO_404;
          if (state.deployment.postgresDown) {
            p.reloadErrors++;
            return json(503, { ok: false, ready: false, reason: 'revocation_reload_failed' });
          }
          p.reloads++;
          p.snapshotAgeSeconds = 0;
          return json(200, { ok: true, revocations: p.revocations });
        },
      },
      // The Gateway answers /metrics.json on any method; JSON keys carry no _total suffix (§14.1).
      { method: 'ANY', path: '/metrics.json', handle: ({ req }) => metricsGate(state, req) ?? json(200, gatewayMetricsJson(p)) },
      { method: 'GET', path: '/metrics', handle: ({ req }) => metricsGate(state, req) ?? { status: 200, body: gatewayPrometheus(p) } },
      // Everything else is proxied: mandate, then the revocation, JTI and STS exchange steps that fail closed, then
      // the policy decision on X-Caracal-Resource, audited with the request ID (§1.3, §3.4, §6, §10.1 drill 3, §12).
      { method: 'ANY', path: /^\/.+/, handle: ({ req }) => proxied(env, p, req) },
    ],
  };
}

function proxied(env: PodEnv, p: GatewayPod, req: IncomingMessage): Answer {
  const { state } = env;
  if (state.tokens.canaryMandate === null || bearerOf(req) !== state.tokens.canaryMandate) return json(401, { error: 'unauthorized' });
  if (!gatewayFresh(p)) return json(503, 'revocation state unavailable\n');
  if (state.deployment.redisDown) return json(503, { error: 'jti_check_unavailable' });
  // Every request is exchanged at STS: with no STS pod answering, traffic is rejected before dispatch (§10.1 drill 3,
  // §7.3). The fact sheet gives no status or body for it; 503, as for the Gateway's other fail-closed answers (§6).
  if (!state.sts.some((sts) => sts.fault === 'none')) return json(503, 'sts unavailable\n');
  const resource = String(req.headers['x-caracal-resource'] ?? '');
  const decision = state.gatewayPolicy.allowedResources.includes(resource) ? 'allow' : 'deny';
  const requestId = String(req.headers['x-request-id'] ?? `gw-${env.now()}`);
  // Written to the stream, then inserted by Audit's consumer when it can (§5.1, §5.2).
  state.auditBacklog.push({
    id: `evt-${env.now()}-${state.auditEvents.length + state.auditBacklog.length + 1}`,
    zone_id: state.gatewayPolicy.zoneId,
    event_type: 'gateway.request',
    request_id: requestId,
    decision,
    evaluation_status: '',
    determining_policies_json: null,
    diagnostics_json: null,
    occurred_at: new Date(env.now()).toISOString(),
  });
  ingestAudit(state);
  return decision === 'allow' ? json(200, { ok: true, upstream: 'canary' }) : json(403, { error: 'denied' });
}
