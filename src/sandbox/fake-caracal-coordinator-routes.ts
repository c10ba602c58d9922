// The simulated Coordinator (caracal-ops.md §1.6, §15.1): global and /ready rate limits, bearer auth, /stats and
// the requeue of a dead outbox row.
import type { IncomingMessage } from 'node:http';
import type { CoordinatorPod } from './fake-caracal-pods.ts';
import { coordinatorReady, type Answer } from './fake-caracal-readiness.ts';
import { bearerOf, fastify404, INTERNAL_ERROR, json, redisLimiter, type PodEnv, type ServiceDef } from './fake-caracal-route-kit.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REQUEUE = /^\/zones\/([^/]+)\/outbox\/([^/]+)\/requeue$/;
/** Routes the Coordinator serves without its bearer auth. */
const COORDINATOR_PUBLIC = new Set(['/health', '/ready']);

export function coordinatorService(env: PodEnv, p: CoordinatorPod): ServiceDef {
  const { state } = env;
  const limit = redisLimiter(env, 'coordinator');
  type Caller = 'operator' | 'other';
  const caller = (req: IncomingMessage): Caller | Answer => {
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
      { method: 'GET', path: '/ready', handle: () => coordinatorReady(state.deployment, p) },
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
