// The simulated Audit service (caracal-ops.md §1.4, §5): readiness, its JSON metrics, and the admin routes that
// search events and replay the dead-letter queue.
import type { IncomingMessage } from 'node:http';
import type { AuditPod } from './fake-caracal-pods.ts';
import { auditReady, type Answer } from './fake-caracal-readiness.ts';
import { bearerOf, GO_404, json, metricsGate, type PodEnv, type ServiceDef } from './fake-caracal-route-kit.ts';
import { ingestAudit, type FakeCaracalState } from './fake-caracal-state.ts';

/** Audit's admin routes: 404 while AUDIT_ADMIN_TOKEN is unset, 401 for a wrong one (§15, server.go authorizeAdmin). */
function auditAdmin(state: FakeCaracalState, req: IncomingMessage): Answer | undefined {
  if (state.tokens.auditAdminToken === null) return GO_404;
  return bearerOf(req) === state.tokens.auditAdminToken ? undefined : json(401, 'unauthorized\n');
}

export function auditService(env: PodEnv, p: AuditPod): ServiceDef {
  const { state } = env;
  const consumerDown = () => {
    const ready = auditReady(state.deployment, p);
    return ready.status !== 200 && (ready.body as { reason?: string }).reason === 'consumer_unhealthy';
  };
  return {
    notFound: () => GO_404,
    routes: [
      { method: 'GET', path: '/health', handle: () => (consumerDown() ? json(503, 'consumer_unhealthy\n') : json(200, '')) },
      { method: 'GET', path: '/ready', handle: () => auditReady(state.deployment, p) },
      {
        method: 'GET',
        path: '/metrics.json',
        handle: ({ req }) =>
          metricsGate(state, req) ??
          json(200, {
            inserts_total: 5000,
            consumer_lag: p.consumerLag,
            consumer_pel_oldest_secs: 0,
            dlq_size: p.dlqSize,
            dlq_oldest_age_secs: 0,
            parse_errors_total: 0,
            dlq_total: p.dlqSize,
            retries_total: 0,
            hmac_failures_total: p.hmacFailures,
            tamper_replay_total: p.tamperReplay,
            tamper_checked_total: 4800,
            tamper_mismatch_total: p.tamperMismatch,
            tamper_chain_breaks: p.tamperChainBreaks,
            tamper_hmac_failures: p.tamperHmacFailures,
            tamper_last_sweep_unix: p.lastSweepUnix,
            tamper_last_full_unix: p.lastFullUnix,
          }),
      },
      {
        // Search by zone and request ID; rows carry Go field names, the event snake_case keys (§1.4, §5.3).
        method: 'GET',
        path: '/api/audit/search',
        handle: ({ req, url }) => {
          const denied = auditAdmin(state, req);
          if (denied) return denied;
          const zone = url.searchParams.get('zone_id');
          if (!zone) return json(400, 'zone_id required\n');
          ingestAudit(state);
          const requestId = url.searchParams.get('request_id');
          const decision = url.searchParams.get('decision');
          // limit: at most 1000, 100 when absent (§1.4).
          const limit = Math.min(Number(url.searchParams.get('limit') ?? 100) || 100, 1000);
          const events = state.auditEvents
            .filter(
              (e) =>
                e.zone_id === zone && (requestId === null || e.request_id === requestId) && (decision === null || e.decision === decision),
            )
            .slice(0, limit)
            .map((e, i) => ({
              Event: e,
              IngestedAt: e.occurred_at,
              ContentSHA256: '',
              PrevContentSHA256: '',
              ChainHMAC: '',
              ChainSeq: i + 1,
            }));
          return json(200, { events, next_cursor: '' });
        },
      },
      {
        method: 'POST',
        path: '/api/audit/dlq/replay',
        handle: async ({ req, url }) => {
          const denied = auditAdmin(state, req);
          if (denied) return denied;
          const raw = url.searchParams.get('limit');
          const n = raw === null ? 100 : Number(raw);
          if (!Number.isInteger(n) || n <= 0) return json(400, 'limit must be a positive integer\n');
          if (state.deployment.redisDown) return json(500, 'dlq replay failed\n');
          return json(200, await env.backend.replayAuditDlq(Math.min(n, 1000)));
        },
      },
    ],
  };
}
