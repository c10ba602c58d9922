// What each simulated service answers, route by route, written from the fact sheet (caracal-ops.md §1-§8, §14,
// §15), not from the bot's checks. Each service is a list of routes plus the hooks Caracal runs before routing
// (rate limits kept in Redis, the Coordinator's auth), so adding a route is adding one entry.
import type { IncomingMessage } from 'node:http';
import type { ServiceName } from '../config.ts';
import * as s from './fake-caracal-state.ts';
import { adminApiRoute } from './fake-caracal-admin.ts';

export type Reply = s.Answer | Promise<s.Answer>;
export interface RouteContext {
  req: IncomingMessage;
  url: URL;
  params: string[];
  /** The request body as text ('' when none was sent). */
  body: string;
}
export interface RouteDef {
  method: 'GET' | 'POST' | 'ANY';
  path: string | RegExp;
  handle: (c: RouteContext) => Reply;
}
export interface ServiceDef {
  /** Runs before routing, on every request; an answer ends the request there. */
  before?: (c: RouteContext) => Reply | undefined;
  routes: RouteDef[];
  /** What an unknown route answers: Go's plain text, or Fastify's JSON. */
  notFound: (c: RouteContext) => s.Answer;
}

export interface PodEnv {
  state: s.FakeCaracalState;
  backend: s.FakeBackend;
  now: () => number;
}

const json = (status: number, body: unknown): s.Answer => ({ status, body });
const GO_404 = json(404, '404 page not found\n');
const fastify404 = (c: RouteContext): s.Answer =>
  json(404, { message: `Route ${c.req.method ?? 'GET'}:${c.url.pathname} not found`, error: 'Not Found', statusCode: 404 });
export const INTERNAL_ERROR = (requestId = 'req-7f3a'): s.Answer =>
  json(500, { error: 'internal_error', error_description: 'The service failed to process the request', requestId });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const bearerOf = (req: IncomingMessage) => {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7) : undefined;
};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function metricsGate(state: s.FakeCaracalState, req: IncomingMessage): s.Answer | undefined {
  const bearer = state.tokens.metricsBearer;
  // With METRICS_BEARER unset the metrics are open (dev mode); set, it must match exactly (§1.1).
  return bearer === null || req.headers.authorization === `Bearer ${bearer}` ? undefined : json(401, 'unauthorized\n');
}

/** A Redis counter per client and minute (§1.5, §1.6). Redis down: ioredis retries, then the hook throws (§15.1.1). */
function redisLimiter(env: PodEnv, service: 'api' | 'coordinator') {
  const counts = new Map<string, number>();
  return (bucket: string, limit: number): Reply | undefined => {
    if (env.state.deployment.redisDown) return sleep(env.state.redisErrorDelayMs[service]).then(() => INTERNAL_ERROR());
    if (limit <= 0) return undefined;
    const key = `${bucket}:${Math.floor(env.now() / 60_000)}`;
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    if (counts.size > 16) counts.delete(counts.keys().next().value as string);
    return n > limit ? json(429, { error: 'rate_limited' }) : undefined;
  };
}

export function stsService(env: PodEnv, p: s.StsPod): ServiceDef {
  const { state } = env;
  return {
    notFound: () => GO_404,
    routes: [
      { method: 'GET', path: '/health', handle: () => json(200, '') },
      { method: 'GET', path: '/ready', handle: () => s.stsReady(state.deployment, p) },
      {
        method: 'GET',
        path: '/.well-known/jwks.json',
        handle: ({ url }) => {
          const zone = url.searchParams.get('zone_id');
          if (!zone) return json(400, 'zone_id required\n');
          // A failed key query is answered as "not found" too (§15.2.7).
          const answer = state.deployment.postgresDown ? 'no_signing_key' : (p.jwks[zone] ?? 'no_signing_key');
          if (answer === 'no_signing_key') return json(404, 'not found\n');
          if (answer === 'no_key_decrypts') return json(500, 'internal error\n');
          const keys = Array.from({ length: answer }, (_, i) => ({
            kty: 'EC',
            crv: 'P-256',
            alg: 'ES256',
            use: 'sig',
            kid: `sk-${zone}-${i}`,
            x: 'eA',
            y: 'eQ',
          }));
          return json(200, { keys });
        },
      },
      {
        method: 'GET',
        path: '/metrics.json',
        handle: ({ req }) =>
          metricsGate(state, req) ??
          json(200, {
            audit_dropped: p.auditDropped,
            opa: {
              eval_total: 40,
              eval_errors: 0,
              eval_duration_ns: 123456,
              compile_total: 4,
              compile_errors: p.compileErrors,
              compile_duration_ns: 98765,
              max_policy_age_seconds: p.maxPolicyAgeSeconds,
              poll_interval_seconds: p.pollIntervalSeconds,
              decision_contract_version: 1,
              decision_contract_sha256: 'cd'.repeat(32),
            },
            sts: {
              graph_traversals: 9,
              audit_dropped: p.auditDropped,
              audit_replay_pending: 0,
              audit_replay_files: p.replayFiles,
              audit_replay_bytes: p.replayFiles * 2048,
              audit_replay_oldest_age_seconds: p.replayOldestSeconds,
              jwks_invalid_keys: 0,
            },
          }),
      },
    ],
  };
}

function gatewayMetricsJson(p: s.GatewayPod): Record<string, unknown> {
  return {
    requests: 1000,
    requests_allowed: 990,
    requests_denied: 10,
    revocation_snapshot_fresh: s.gatewayFresh(p) ? 1 : 0,
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
function gatewayPrometheus(p: s.GatewayPod): string {
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

export function gatewayService(env: PodEnv, p: s.GatewayPod): ServiceDef {
  const { state } = env;
  return {
    notFound: () => GO_404,
    routes: [
      { method: 'GET', path: '/health', handle: () => json(200, '') },
      { method: 'GET', path: '/ready', handle: () => s.gatewayReady(state.deployment, p) },
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

function proxied(env: PodEnv, p: s.GatewayPod, req: IncomingMessage): s.Answer {
  const { state } = env;
  if (state.tokens.canaryMandate === null || bearerOf(req) !== state.tokens.canaryMandate) return json(401, { error: 'unauthorized' });
  if (!s.gatewayFresh(p)) return json(503, 'revocation state unavailable\n');
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
  s.ingestAudit(state);
  return decision === 'allow' ? json(200, { ok: true, upstream: 'canary' }) : json(403, { error: 'denied' });
}

/** Audit's admin routes: 404 while AUDIT_ADMIN_TOKEN is unset, 401 for a wrong one (§15, server.go authorizeAdmin). */
function auditAdmin(state: s.FakeCaracalState, req: IncomingMessage): s.Answer | undefined {
  if (state.tokens.auditAdminToken === null) return GO_404;
  return bearerOf(req) === state.tokens.auditAdminToken ? undefined : json(401, 'unauthorized\n');
}

export function auditService(env: PodEnv, p: s.AuditPod): ServiceDef {
  const { state } = env;
  const consumerDown = () => {
    const ready = s.auditReady(state.deployment, p);
    return ready.status !== 200 && (ready.body as { reason?: string }).reason === 'consumer_unhealthy';
  };
  return {
    notFound: () => GO_404,
    routes: [
      { method: 'GET', path: '/health', handle: () => (consumerDown() ? json(503, 'consumer_unhealthy\n') : json(200, '')) },
      { method: 'GET', path: '/ready', handle: () => s.auditReady(state.deployment, p) },
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
          s.ingestAudit(state);
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

const ACTIVATION = /^\/v1\/zones\/([^/]+)\/policy-sets\/([^/]+)\/activation-status$/;

export function apiService(env: PodEnv, p: s.ApiPod): ServiceDef {
  const { state } = env;
  const limit = redisLimiter(env, 'api');
  return {
    notFound: fastify404,
    // Only /ready and /v1/* pass a Redis-backed limiter; /health does not (§1.5, §15.1.1).
    before: ({ url }) => {
      if (url.pathname === '/ready') return limit('ready', state.limits.readyPerMinute);
      if (url.pathname.startsWith('/v1/')) return limit('v1', 0);
      return undefined;
    },
    routes: [
      { method: 'GET', path: '/health', handle: () => json(200, { ok: true }) },
      { method: 'GET', path: '/ready', handle: () => s.apiReady(state.deployment, p) },
      {
        method: 'GET',
        path: ACTIVATION,
        handle: ({ req, params }) => {
          // Admin tokens are rows in Postgres: without it no token can be checked.
          if (state.deployment.postgresDown) return INTERNAL_ERROR();
          const token = bearerOf(req);
          const known = [state.tokens.adminToken, state.tokens.apiReadToken].filter((t): t is string => t !== null);
          if (token === undefined || !known.includes(token)) return json(401, { error: 'invalid_admin_token' });
          const body = state.policySets[`${decodeURIComponent(params[0] ?? '')}/${decodeURIComponent(params[1] ?? '')}`];
          return body ? json(200, body) : json(404, { error: 'policy_set_binding_not_found' });
        },
      },
      // Zone listing and per-zone reads of Caracal's diagnostics (issue 19).
      { method: 'GET', path: /^\/v1\/zones(\/.*)?$/, handle: (c) => adminApiRoute(state, c.req, c.url) ?? fastify404(c) },
      {
        // Control (§8): absent unless enabled; its file gate is checked before the token, and both deny.
        method: 'POST',
        path: '/v1/control/invoke',
        handle: (c) => {
          if (state.control === 'absent') return fastify404(c);
          if (state.control === 'closed')
            return json(503, {
              ok: false,
              error: { code: 'control_disabled', message: 'the control endpoint is disabled on this deployment' },
            });
          return json(401, { ok: false, error: { code: 'unauthorized', message: 'missing or invalid control token' } });
        },
      },
    ],
  };
}

const REQUEUE = /^\/zones\/([^/]+)\/outbox\/([^/]+)\/requeue$/;
/** Routes the Coordinator serves without its bearer auth. */
const COORDINATOR_PUBLIC = new Set(['/health', '/ready']);

export function coordinatorService(env: PodEnv, p: s.CoordinatorPod): ServiceDef {
  const { state } = env;
  const limit = redisLimiter(env, 'coordinator');
  type Caller = 'operator' | 'other';
  const caller = (req: IncomingMessage): Caller | s.Answer => {
    const token = bearerOf(req);
    if (token === undefined) return json(401, { error: 'missing_token' });
    if (state.tokens.coordinatorToken !== null && token === state.tokens.coordinatorToken) return 'operator';
    // The metrics bearer stands in for a valid non-operator identity (an agent token): authenticated, not admin.
    if (state.tokens.metricsBearer !== null && token === state.tokens.metricsBearer) return 'other';
    return json(401, { error: 'invalid_token' });
  };
  return {
    notFound: fastify404,
    // The global rate limit runs first on every path but /health, then /ready's own, then auth (§1.6, §15.1.4).
    before: ({ req, url }) => {
      if (url.pathname === '/health') return undefined;
      const global = limit('global', state.limits.coordinatorPerMinute);
      if (global) return global;
      if (url.pathname === '/ready') return limit('ready', state.limits.readyPerMinute);
      if (COORDINATOR_PUBLIC.has(url.pathname)) return undefined;
      const who = caller(req);
      return typeof who === 'string' ? undefined : who;
    },
    routes: [
      { method: 'GET', path: '/health', handle: () => json(200, { ok: true }) },
      { method: 'GET', path: '/ready', handle: () => s.coordinatorReady(state.deployment, p) },
      {
        method: 'GET',
        path: '/stats',
        handle: async ({ req }) => {
          if (caller(req) !== 'operator') return json(403, { error: 'operator_token_required' });
          if (state.deployment.postgresDown) return INTERNAL_ERROR();
          const outbox = await env.backend.coordinatorOutboxCounts();
          return json(200, {
            invocations: { running: 0, completed: 12 },
            outbox,
            idempotency: { rows: 4, oldestSeconds: 120, outcomes: {} },
            ttl_sweeper: { ...state.coordinatorJobs.ttl_sweeper, terminated: 0 },
            service_lease_sweeper: { ...state.coordinatorJobs.service_lease_sweeper, suspended: 0 },
            retention_cleaner: { ...state.coordinatorJobs.retention_cleaner, deleted_outbox: 0 },
            log: {},
          });
        },
      },
      {
        method: 'POST',
        path: REQUEUE,
        handle: async ({ req, params, body }) => {
          if (caller(req) !== 'operator') return json(403, { error: 'coordinator_admin_required' });
          // Fastify rejects a JSON content type with an empty body before the handler (§15.1.3).
          if (/application\/json/.test(req.headers['content-type'] ?? '') && body === '') {
            return json(400, {
              statusCode: 400,
              code: 'FST_ERR_CTP_EMPTY_JSON_BODY',
              error: 'Bad Request',
              message: "Body cannot be empty when content-type is set to 'application/json'",
            });
          }
          const [zone = '', id = ''] = params.map((x) => decodeURIComponent(x));
          if (!UUID.test(zone) || !UUID.test(id))
            return json(400, { error: 'invalid_body', error_description: 'Request body failed validation' });
          if (state.deployment.postgresDown) return INTERNAL_ERROR();
          return (await env.backend.requeueCoordinatorOutbox(zone, id))
            ? json(200, { id, status: 'pending' })
            : json(404, { error: 'dead_outbox_not_found' });
        },
      },
    ],
  };
}

export const SERVICE_DEFS: { [K in ServiceName]: (env: PodEnv, pod: s.FakeCaracalState[K][number]) => ServiceDef } = {
  sts: stsService,
  gateway: gatewayService,
  audit: auditService,
  api: apiService,
  coordinator: coordinatorService,
};
