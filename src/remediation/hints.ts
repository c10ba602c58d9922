// What an admin call's HTTP answer means, per service: each Caracal service fails differently (caracal-ops.md
// §15.1.3-§15.1.5), so one table for all would blame the token for a 404 that means "nothing to requeue".
import type { ServiceName } from '../config.ts';

type Hints = Record<number, string | Record<string, string>>;

const HINTS: Partial<Record<ServiceName, Hints>> = {
  coordinator: {
    400: { invalid_body: 'zone or row id is not a UUID', '': 'request rejected: send no body and no content type' },
    401: {
      missing_token: 'no token sent: set CARACAL_COORDINATOR_TOKEN',
      invalid_token: "token rejected: CARACAL_COORDINATOR_TOKEN differs from the Coordinator's, or it is unset there",
      '': 'token rejected (the Coordinator checks the token before the route exists)',
    },
    403: 'not the operator token: use CARACAL_COORDINATOR_TOKEN',
    404: 'dead_outbox_not_found: the row is no longer dead (already requeued) or its payload zone_id differs',
    429: 'rate limited: 600 requests per minute per IP on the Coordinator; wait a minute',
    500: "internal_error: the Coordinator's Redis-backed rate limit or Postgres failed; restore Redis and Postgres first",
  },
  audit: {
    401: "token rejected: CARACAL_AUDIT_ADMIN_TOKEN differs from Audit's AUDIT_ADMIN_TOKEN",
    404: "Audit's admin routes are off: AUDIT_ADMIN_TOKEN is unset on Audit",
    500: 'replay failed inside Audit: check Redis (redis.reachable)',
  },
  api: {
    401: 'invalid_admin_token: the token is unknown to the API or revoked',
    403: 'the token lacks the capability or zone scope for this route',
    404: { policy_set_binding_not_found: 'the zone has no such policy set', '': 'no such route on the API' },
    500: 'internal_error: the API could not reach Redis or Postgres',
  },
  gateway: {
    404: "the Gateway's CARACAL_ADMIN_TOKEN is unset or differs (it answers 404 for both)",
    503: 'revocation_reload_failed: the Gateway cannot read Postgres',
  },
};

function errorCode(body: unknown): string {
  if (typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'string') return body.error;
  return '';
}

/** The hint for one failed answer, or a generic word when the service gives none for that status. */
export function httpHint(service: ServiceName, status: number, body: unknown): string {
  const hint = HINTS[service]?.[status];
  if (typeof hint === 'string') return hint;
  if (hint) return hint[errorCode(body)] ?? hint[''] ?? `HTTP ${status}`;
  return status >= 500 ? 'server error' : 'failed';
}
