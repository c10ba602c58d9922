// The drill catalog of Caracal's runbook ("Run Failure Drills", caracal-ops.md §10.1): what to inject, which
// alerts should fire, how Caracal should behave, how to recover, and what the code says to expect instead.

export interface Drill {
  id: string;
  title: string;
  inject: string;
  expectedAlerts: string[];
  expectedBehaviour: string;
  recover: string;
  /** Where Caracal's code disagrees with the runbook (so a drill "failing" there is not a surprise). */
  caveat: string;
}

export const DRILLS: readonly Drill[] = [
  {
    id: 'redis-outage',
    title: 'Redis outage',
    inject: 'Make managed Redis unavailable, or block the Redis egress port.',
    expectedAlerts: ['CaracalGatewayAuditReplayBacklogOld', 'CaracalSTSAuditReplayBacklogOld'],
    expectedBehaviour:
      'Streams, revocation refresh and audit ingestion lag; STS and Gateway write audit to the replay volumes; readiness degrades.',
    recover: 'Restore Redis, verify streams and groups, drain the replay backlog and DLQ, confirm the snapshot is fresh before resuming.',
    caveat:
      'CaracalAuditConsumerLagHigh need not fire: Audit cannot poll its lag without Redis and keeps the last value. The snapshot reloads from Postgres, so SnapshotStale/ReloadErrors do not fire from Redis loss alone. Replay alerts need >300 s plus 5 min. Replay files drain only when pods restart. Coordinator outbox rows die after ~1 min (10 attempts); API and Coordinator /ready take up to 21 s to answer 500.',
  },
  {
    id: 'postgres-outage',
    title: 'Postgres outage',
    inject: 'Fail over or block the managed Postgres endpoint.',
    expectedAlerts: [
      'CaracalPostgresPoolSaturation',
      'CaracalAPIOutboxPendingOldest',
      'CaracalReadinessFlapping',
      'CaracalGatewayRevocationSnapshotStale',
      'CaracalGatewayRevocationReloadErrors',
    ],
    expectedBehaviour:
      'API, STS, Gateway, Audit and Coordinator readiness fail or degrade; outbox delivery stalls; every 30 s Gateway revocation reload fails (revocation_reload_errors grows); after 70 s the Gateway fails closed (503); STS JWKS answers 404.',
    recover: 'Restore Postgres, confirm migrations, check pools, replay outboxes, confirm readiness stabilises.',
    caveat:
      'Pool metrics exist only on the Gateway. API outbox metrics need Postgres, so PendingOldest fires after it returns. A JWKS 404 meanwhile is the failed key query, not a missing key.',
  },
  {
    id: 'sts-unreachable',
    title: 'STS unreachable from Gateway',
    inject: 'Scale STS to 0, or block Gateway to STS.',
    expectedAlerts: ['CaracalGatewaySTSExchangeErrors', 'CaracalGatewaySTSCircuitOpen'],
    expectedBehaviour:
      'Gateway exchanges fail closed; upstream traffic is rejected before dispatch; Gateway /ready reports sts_unreachable.',
    recover: 'Restore STS readiness, JWKS, HMAC and policy freshness; confirm the circuit closes and a canary exchange succeeds.',
    caveat: 'The circuit opens after 3 failures, for 10 s.',
  },
  {
    id: 'stale-policy',
    title: 'Stale policy bundle',
    inject: 'Pause policy distribution, or hold the bundle past its freshness budget.',
    expectedAlerts: ['CaracalSTSPolicyBundleStale'],
    expectedBehaviour: 'STS keeps evaluating the last good bundle; new activations do not take effect.',
    recover: 'Restore distribution, confirm the active policy-set version (activation-status "loaded"), verify the alert clears.',
    caveat: 'The age metric grows for an unchanged bundle, so this alert likely fires in steady state too: use activation-status.',
  },
  {
    id: 'bad-policy',
    title: 'Bad policy activation',
    inject: 'Activate a Rego policy set with a compile error in a test zone.',
    expectedAlerts: ['CaracalSTSOPACompileErrors'],
    expectedBehaviour: 'STS rejects it and keeps the last good policy; access is not widened.',
    recover: 'Roll forward to a valid version; the alert clears.',
    caveat:
      'Activation status shows waiting_for_sts with STS loaded on the old version, not failed. Module validation failures install deny-all instead of keeping the last good bundle.',
  },
  {
    id: 'provider-refresh',
    title: 'Provider credential refresh failure',
    inject: 'Revoke or expire the brokered upstream credential.',
    expectedAlerts: ['CaracalSTSProviderRefreshErrors', 'CaracalSTSProviderCircuitOpen'],
    expectedBehaviour: 'Provider-backed exchanges fail closed; other resources are unaffected.',
    recover: 'Restore the credential, confirm refresh, confirm the circuit closes.',
    caveat: 'Redis keys provider-refresh-circuit:<id> and provider-refresh-failures:<id> hold the circuit state.',
  },
  {
    id: 'revocation-lag',
    title: 'Revocation propagation lag',
    inject: 'Revoke a session and delay the revocation stream consumer.',
    expectedAlerts: ['CaracalGatewayRevocationPropagationLag'],
    expectedBehaviour: 'Revocation eventually reaches the Gateway; measure the window against your budget.',
    recover: 'Clear the delay, confirm the revoked session is denied at the Gateway, the alert clears.',
    caveat: 'The gauge keeps the last message age until the next message; the 30 s snapshot reload also applies revocations.',
  },
  {
    id: 'audit-backpressure',
    title: 'Audit evidence pipeline backpressure',
    inject: 'Pause the audit consumer, or fault the audit datastore.',
    expectedAlerts: ['CaracalAuditDLQNonEmpty', 'CaracalAuditDLQGrowth', 'CaracalAPIOutboxDeadMessages'],
    expectedBehaviour: 'Ingestion is delayed; DLQ and outbox backlogs grow but nothing is lost.',
    recover: 'Restore consumer and datastore, replay DLQ and outboxes, verify the tamper chain.',
    caveat: 'Transient Postgres errors stay pending until 8 deliveries, then DLQ. API outbox rows die only on Redis publish failure.',
  },
  {
    id: 'tamper',
    title: 'Audit tamper detection',
    inject: 'In a disposable environment, modify a stored audit record out of band.',
    expectedAlerts: ['CaracalAuditTamperDetected'],
    expectedBehaviour: 'The integrity check flags the break; treat it as a security incident.',
    recover: 'Restore from trusted backup, scope the blast radius, follow incident response.',
    caveat:
      'Detection happens on the next hourly sweep (4 h window) or at Audit restart; the alert resolves 5 min after each detection. The deep verification finds the row at once.',
  },
];

export const findDrill = (id: string): Drill | undefined => DRILLS.find((d) => d.id === id.toLowerCase());
