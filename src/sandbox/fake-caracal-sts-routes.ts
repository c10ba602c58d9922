// The simulated STS (caracal-ops.md §1.2, §7.2): readiness, per-zone JWKS and its JSON metrics.
import type { StsPod } from './fake-caracal-pods.ts';
import { stsReady } from './fake-caracal-readiness.ts';
import { GO_404, json, metricsGate, type PodEnv, type ServiceDef } from './fake-caracal-route-kit.ts';

export function stsService(env: PodEnv, p: StsPod): ServiceDef {
  const { state } = env;
  return {
    notFound: () => GO_404,
    routes: [
      { method: 'GET', path: '/health', handle: () => json(200, '') },
      { method: 'GET', path: '/ready', handle: () => stsReady(state.deployment, p) },
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
