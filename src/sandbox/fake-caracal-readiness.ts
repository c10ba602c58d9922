// What each simulated service answers on GET /ready (caracal-ops.md §1.2-§1.6, §6, §14.4): the pod's own reason
// first, then the shared stores' outages in the order that service checks them.
import type { ApiPod, AuditPod, CoordinatorPod, GatewayPod, StsPod } from './fake-caracal-pods.ts';
import { gatewayFresh } from './fake-caracal-pods.ts';

export interface Answer {
  status: number;
  /** A JSON value, or a string sent as text/plain ('' for the Go services' empty 200s). */
  body: unknown;
}

/** The shared stores as every service sees them. */
export interface Deployment {
  postgresDown: boolean;
  redisDown: boolean;
}

const goReady = (reason: string | null): Answer =>
  reason ? { status: 503, body: { ok: false, ready: false, reason } } : { status: 200, body: { ok: true, ready: true } };

export function stsReady(d: Deployment, p: StsPod): Answer {
  if (p.readyReason) return goReady(p.readyReason);
  if (d.postgresDown) return goReady('postgres_unreachable');
  if (d.redisDown) return goReady('redis_unreachable');
  return goReady(p.auditDropped > 0 ? 'audit_evidence_lost' : null);
}

export function gatewayReady(d: Deployment, p: GatewayPod): Answer {
  if (p.readyReason) return goReady(p.readyReason);
  if (d.redisDown) return goReady('redis_unreachable');
  if (!gatewayFresh(p)) return goReady('revocation_snapshot_stale');
  return goReady(p.auditDropped > 0 ? 'audit_evidence_lost' : null);
}

export function auditReady(d: Deployment, p: AuditPod): Answer {
  // Audit's success body has no `ok` (§1.4); with Redis down its consumer reads fail first.
  const reason = p.readyReason ?? (d.redisDown ? 'consumer_unhealthy' : d.postgresDown ? 'postgres_unreachable' : null);
  return reason ? { status: 503, body: { ok: false, ready: false, reason } } : { status: 200, body: { ready: true } };
}

const INTERNAL_ERROR: Answer = {
  status: 500,
  body: { error: 'internal_error', error_description: 'Internal Server Error', requestId: 'req-7f3a' },
};
const down = (error: string, dependency: string): Answer => ({ status: 503, body: { ok: false, error, dependency } });

export function apiReady(d: Deployment, p: ApiPod): Answer {
  // The Redis-backed rate-limit hook runs first, so a Redis outage is a 500 (§14.4).
  const state = p.notReady ?? (d.redisDown ? 'internal_error' : d.postgresDown ? 'postgres_unreachable' : null);
  if (state === null) return { status: 200, body: { ok: true } };
  if (typeof state === 'object')
    return { status: 503, body: { ok: false, error: 'outbox_dead_messages', deadCount: state.deadCount, limit: state.limit } };
  if (state === 'internal_error') return INTERNAL_ERROR;
  if (state === 'draining') return { status: 503, body: { ok: false, draining: true } };
  return down(state, state === 'redis_unreachable' ? 'redis' : 'postgres');
}

export function coordinatorReady(d: Deployment, p: CoordinatorPod): Answer {
  const state = p.notReady ?? (d.redisDown ? 'internal_error' : d.postgresDown ? 'postgres_unreachable' : null);
  if (state === null) return { status: 200, body: { ok: true } };
  if (state === 'internal_error') return INTERNAL_ERROR;
  if (state === 'draining') return { status: 503, body: { ok: false, draining: true } };
  return down(state, state === 'outbox_dead' ? 'outbox' : state === 'redis_unreachable' ? 'redis' : 'postgres');
}
