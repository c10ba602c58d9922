// The pods of a simulated Caracal deployment: what each service's pod holds (its counters, its readiness reason,
// how it fails), and a healthy one of each. Plain data a test (or the sandbox) may change; written from
// docs/caracal-ops.md independently of src/checks.

/** How a pod answers at all: normally, never (accepts and stalls), 500 text, a 200 that is not JSON, or 429. */
export type Fault = 'none' | 'hang' | 'http500' | 'malformed' | 'rate_limited';

/** Applied to a pod's JSON body before it is sent: delete a field, retype it, to test defensive reading. */
export type Transform = (path: string, body: unknown) => unknown;

interface PodCommon {
  fault: Fault;
  transform?: Transform;
  /** Answer normally, but only after this many milliseconds (a slow target). */
  delayMs?: number;
}

export type StsReason =
  | 'postgres_unreachable'
  | 'redis_unavailable'
  | 'redis_unreachable'
  | 'audit_evidence_lost'
  | 'audit_replay_unavailable'
  | 'stream_consumers_not_ready';
export type GatewayReason =
  | 'redis_unreachable'
  | 'revocation_snapshot_stale'
  | 'audit_evidence_lost'
  | 'audit_replay_unavailable'
  | 'sts_unavailable'
  | 'sts_unreachable';
export type AuditReason =
  | 'consumer_unhealthy'
  | 'postgres_unreachable'
  | 'redis_unreachable'
  | 'audit_dlq_threshold'
  | 'audit_lag_threshold'
  | 'audit_pel_oldest_threshold';
/** API /ready failures (§1.5); `internal_error` is the 500 of a Redis outage (§14.4). */
export type ApiNotReady =
  | 'draining'
  | 'postgres_unreachable'
  | 'redis_unreachable'
  | 'outbox_unreachable'
  | 'internal_error'
  | { deadCount: number; limit: number };
/** Coordinator /ready failures (§1.6, §14.4). */
export type CoordinatorNotReady = 'draining' | 'postgres_unreachable' | 'outbox_dead' | 'redis_unreachable' | 'internal_error';

/** JWKS per zone: N keys, or 404 (no signing key), or 500 (no key decrypts). */
export type JwksAnswer = number | 'no_signing_key' | 'no_key_decrypts';

export interface StsPod extends PodCommon {
  /** Forces this reason; otherwise it follows the deployment (Postgres, Redis) and the dropped latch. */
  readyReason: StsReason | null;
  replayFiles: number;
  replayOldestSeconds: number;
  auditDropped: number;
  compileErrors: number;
  maxPolicyAgeSeconds: number;
  pollIntervalSeconds: number;
  jwks: Record<string, JwksAnswer>;
}

export interface GatewayPod extends PodCommon {
  readyReason: GatewayReason | null;
  /** STS exchange circuit (opens after 3 failures, for 10 s) and its error counter (§7.3, §15.2.11). */
  stsCircuitOpen: number;
  stsExchangeErrors: number;
  /** Revocation messages whose STREAMS_HMAC signature did not verify: an HMAC key mismatch. */
  revocationInvalidSignatures: number;
  /** caracal_db_pool_in_use_ratio on the Prometheus /metrics, the only pool metric Caracal exports. */
  dbPoolInUseRatio: number;
  /** null = never loaded. Fresh means loaded and at most 70 s old (hard-coded in Caracal, §6). */
  snapshotAgeSeconds: number | null;
  reloadErrors: number;
  reloads: number;
  revocations: number;
  replayFiles: number;
  replayOldestSeconds: number;
  auditDropped: number;
}

export interface AuditPod extends PodCommon {
  readyReason: AuditReason | null;
  tamperMismatch: number;
  tamperChainBreaks: number;
  tamperHmacFailures: number;
  lastSweepUnix: number;
  lastFullUnix: number;
  dlqSize: number;
  consumerLag: number;
  /** Producer signatures that failed AUDIT_HMAC_KEY verification (not the chain). */
  hmacFailures: number;
  /** Replays whose content differed from the stored row (each also writes an audit_ingest_alerts row). */
  tamperReplay: number;
}

export interface ApiPod extends PodCommon {
  notReady: ApiNotReady | null;
}

export interface CoordinatorPod extends PodCommon {
  notReady: CoordinatorNotReady | null;
}

export const SNAPSHOT_MAX_AGE_SECONDS = 70;

export const healthySts = (): StsPod => ({
  fault: 'none',
  readyReason: null,
  replayFiles: 0,
  replayOldestSeconds: 0,
  auditDropped: 0,
  compileErrors: 0,
  maxPolicyAgeSeconds: 86_400.25,
  pollIntervalSeconds: 60,
  jwks: {},
});
export const healthyGateway = (): GatewayPod => ({
  fault: 'none',
  readyReason: null,
  stsCircuitOpen: 0,
  stsExchangeErrors: 0,
  revocationInvalidSignatures: 0,
  dbPoolInUseRatio: 0.2,
  snapshotAgeSeconds: 12,
  reloadErrors: 0,
  reloads: 120,
  revocations: 3,
  replayFiles: 0,
  replayOldestSeconds: 0,
  auditDropped: 0,
});
export const healthyAudit = (nowUnix: number): AuditPod => ({
  fault: 'none',
  readyReason: null,
  tamperMismatch: 0,
  tamperChainBreaks: 0,
  tamperHmacFailures: 0,
  lastSweepUnix: nowUnix - 600,
  lastFullUnix: nowUnix - 7200,
  dlqSize: 0,
  consumerLag: 0,
  hmacFailures: 0,
  tamperReplay: 0,
});

export function gatewayFresh(p: GatewayPod): boolean {
  return p.snapshotAgeSeconds !== null && p.snapshotAgeSeconds <= SNAPSHOT_MAX_AGE_SECONDS;
}
