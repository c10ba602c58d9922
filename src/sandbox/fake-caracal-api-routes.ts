// The simulated API (caracal-ops.md §1.5, §7.1, §8): readiness behind its Redis limiter, activation status, the
// admin reads of zones, and the Control plugin that is absent unless enabled.
import { adminApiRoute } from './fake-caracal-admin.ts';
import type { ApiPod } from './fake-caracal-pods.ts';
import { apiReady } from './fake-caracal-readiness.ts';
import { bearerOf, fastify404, INTERNAL_ERROR, json, redisLimiter, type PodEnv, type ServiceDef } from './fake-caracal-route-kit.ts';

const ACTIVATION = /^\/v1\/zones\/([^/]+)\/policy-sets\/([^/]+)\/activation-status$/;

export function apiService(env: PodEnv, p: ApiPod): ServiceDef {
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
      { method: 'GET', path: '/ready', handle: () => apiReady(state.deployment, p) },
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
