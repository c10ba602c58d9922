// The runbook's failure matrix ("Recover from Failures", caracal-ops.md §10): user impact and recovery per row. The
// runbook has no API row; one is added here, since the Console that the Control row falls back to goes through the API.

export const FAILURE_MATRIX = {
  postgres: {
    failure: 'Postgres unavailable',
    impact: 'API, STS, Gateway, Audit and Coordinator readiness fails or degrades.',
    recovery: 'Restore Postgres, confirm migrations, check pools, replay outboxes.',
  },
  redis: {
    failure: 'Redis unavailable',
    impact: 'Streams, revocation, policy invalidation, audit ingestion and coordination lag.',
    recovery: 'Restore Redis, verify streams and groups, watch pending entries and the replay backlog.',
  },
  sts: {
    failure: 'STS unavailable',
    impact: 'Token exchange and Gateway exchanges fail.',
    recovery: 'Restore STS readiness, policy bundle freshness, JWKS and HMAC configuration.',
  },
  gateway: {
    failure: 'Gateway unhealthy',
    impact: 'Protected upstream traffic fails before provider dispatch.',
    recovery: 'Check bindings, STS exchange, revocation snapshot, upstream allowlist and audit replay.',
  },
  audit: {
    failure: 'Audit unhealthy',
    impact: 'Evidence ingestion delayed; DLQ or replay grows.',
    recovery: 'Recover Audit, Postgres and Redis, replay the DLQ, verify the tamper chain.',
  },
  auditLoss: {
    failure: 'STS/Gateway audit evidence lost',
    impact: 'The pod stays NotReady (latched) while its liveness stays healthy.',
    recovery: 'Preserve the replay volume and logs as evidence, then replace the pod.',
  },
  coordinator: {
    failure: 'Coordinator unhealthy',
    impact: 'Agent and delegation views and lifecycle management fail.',
    recovery: 'Restore Coordinator readiness, token, DB, Redis and sweeper health.',
  },
  api: {
    failure: 'API unhealthy',
    impact:
      'Admin API and Console down (the Console goes through the API); revocations and policy invalidations the API ' +
      'enqueues are not published.',
    recovery: 'Restore API readiness (Postgres, Redis, dead event_outbox rows), then confirm revocations and policy activations propagate.',
  },
  control: {
    failure: 'Control unhealthy',
    impact: 'Automation dispatch unavailable.',
    recovery:
      'Use the Console or Admin SDK directly if the API is ready; restore the Control gate, token, JWKS, Redis and API reachability.',
  },
} as const;

export type MatrixRow = keyof typeof FAILURE_MATRIX;
export const MATRIX_ROWS = Object.keys(FAILURE_MATRIX) as MatrixRow[];
