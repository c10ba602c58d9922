// What each /ready failure means and what to do about it (caracal-ops.md §1.2-§1.6, §4, §5, §6, §14.4-§14.5).
// Keys are the Go services' `reason` values and the API/Coordinator `error` values, plus the bot's own
// names for the bodies that carry neither (draining, rate limited, unknown).
import type { MatrixRow } from '../../domain/failure-matrix.ts';

export interface ReadyAdvice {
  remedy: string;
  /** Rows implicated besides the pod's own service row. */
  matrix: readonly MatrixRow[];
}

const RESTORE_PG = 'Restore Postgres (see postgres.reachable); readiness returns by itself once the ping succeeds.';
const RESTORE_REDIS = 'Restore Redis (see redis.reachable); readiness returns by itself once PING answers.';

export const READY_ADVICE: Record<string, ReadyAdvice> = {
  postgres_unreachable: { remedy: RESTORE_PG, matrix: ['postgres'] },
  redis_unreachable: { remedy: RESTORE_REDIS, matrix: ['redis'] },
  redis_unavailable: { remedy: 'STS started without a Redis client: fix its Redis settings, then restart the pod.', matrix: ['redis'] },
  audit_evidence_lost: {
    remedy:
      'The pod dropped audit events and stays NotReady until the process is replaced (a latch). Preserve its replay ' +
      'volume (/var/lib/caracal) and logs as evidence, record the evidence gap, then replace the pod.',
    matrix: ['auditLoss'],
  },
  audit_replay_unavailable: {
    remedy:
      'The audit replay directory (AUDIT_REPLAY_DIR, default /var/lib/caracal/audit-replay) is unusable: check the ' +
      'volume is mounted, writable by uid 65532 and not full. This can clear on its own once the directory is usable.',
    matrix: [],
  },
  stream_consumers_not_ready: {
    remedy:
      'STS has not yet created its stream consumer groups (done at startup, against Redis). Restore Redis; if it ' +
      'persists with Redis healthy, restart the STS pod.',
    matrix: ['redis'],
  },
  revocation_snapshot_stale: {
    remedy:
      'Postgres is the cause: the revocation snapshot reloads from Postgres every 30 s and is older than 70 s, and ' +
      'every proxied request on this pod fails closed with 503 meanwhile. Restore Postgres; the pod then reloads within ' +
      '30 s, or force it with POST /internal/revocations/reload (Bearer CARACAL_ADMIN_TOKEN) on each stale pod directly: ' +
      'it reloads only the pod that receives it.',
    matrix: ['postgres'],
  },
  sts_unavailable: { remedy: 'The Gateway has no STS client: set its STS_URL and restart it.', matrix: ['sts'] },
  sts_unreachable: {
    remedy: "The Gateway's GET <STS_URL>/health fails: restore STS (see its own /ready) and the network path to it.",
    matrix: ['sts'],
  },
  consumer_unhealthy: {
    remedy:
      "Audit's stream consumer is failing: restore Redis and Postgres; it recovers after the next successful read. " +
      'If the audit-ingestor group was deleted, only a restart re-creates it, at $, skipping every event written ' +
      'meanwhile: record that evidence gap. Kubernetes restarts Audit while /health is 503.',
    matrix: [],
  },
  audit_dlq_threshold: {
    remedy: 'The audit DLQ is over AUDIT_READY_DLQ_MAX: see audit.dlq and replay the replayable entries (POST /api/audit/dlq/replay).',
    matrix: [],
  },
  audit_lag_threshold: {
    remedy: "Audit's pending (PEL) count is over AUDIT_READY_LAG_MAX: see redis.backlog for audit-ingestor and check Postgres inserts.",
    matrix: [],
  },
  audit_pel_oldest_threshold: {
    remedy: 'The oldest pending audit message is older than AUDIT_READY_PEL_OLDEST_SECS_MAX: see redis.backlog and check Postgres inserts.',
    matrix: [],
  },
  outbox_unreachable: { remedy: `The API's outbox health query fails. ${RESTORE_PG}`, matrix: ['postgres'] },
  outbox_dead: {
    remedy:
      'Dead Coordinator outbox rows: once Redis is healthy, requeue each with POST /zones/{zoneId}/outbox/{id}/requeue ' +
      '(Bearer CARACAL_COORDINATOR_TOKEN); outbox.coordinator lists the exact calls.',
    matrix: [],
  },
  outbox_dead_messages: {
    remedy:
      'Dead API event_outbox rows exceed API_READY_OUTBOX_DEAD_MAX. There is no requeue endpoint: once Redis is ' +
      'healthy they need break-glass SQL resetting available_at, attempts and last_error (see outbox.api).',
    matrix: [],
  },
  draining: {
    remedy: 'The pod is shutting down: wait for its replacement and re-run; if it stays draining, check the rollout.',
    matrix: [],
  },
  internal_error: {
    remedy:
      'The Redis-backed rate-limit hook runs before the readiness logic, so a 500 internal_error almost always means ' +
      `Redis is down. ${RESTORE_REDIS}`,
    matrix: ['redis'],
  },
  rate_limited: {
    remedy:
      'Could not check: /ready allows 120 requests per minute per IP (READY_RATE_LIMIT_PER_MIN). Wait a minute and ' +
      're-run; find whatever else polls /ready from the same address.',
    matrix: [],
  },
};

export const UNKNOWN_ADVICE: ReadyAdvice = {
  remedy: "Unrecognised readiness answer: read the pod's logs and its /ready body by hand.",
  matrix: [],
};

/** `dependency` in API/Coordinator bodies names a store; `outbox` is covered by the error's own advice. */
export function dependencyRow(dependency: string | undefined): MatrixRow[] {
  return dependency === 'postgres' || dependency === 'redis' ? [dependency] : [];
}
