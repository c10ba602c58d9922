// Prometheus text exposition (/metrics) of the simulated services, with the metric names Caracal's alert rules use
// (caracal-ops.md §9). Values come from the same state as each pod's /metrics.json (after a fault's transform), so a
// fault injected from the panel moves both. Simulated where the JSON has no twin (said per metric below).
import type { ServiceName } from '../../config.ts';
import type { RouteContext, RouteDef, ServiceDef } from '../fake-caracal-routes.ts';
import type { FakeCaracalState } from '../fake-caracal-state.ts';

type Json = Record<string, unknown>;
type Sample = [name: string, type: 'counter' | 'gauge', value: number, labels?: Record<string, string>];

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});

/** STS exchange errors seen by each Gateway pod while STS is unreachable: a counter must only grow. */
const exchangeErrors = new WeakMap<object, number>();

function stsSamples(body: Json): Sample[] {
  const opa = obj(body.opa);
  const sts = obj(body.sts);
  return [
    ['caracal_sts_opa_compile_errors_total', 'counter', num(opa.compile_errors)],
    ['caracal_sts_opa_max_policy_age_seconds', 'gauge', num(opa.max_policy_age_seconds)],
    ['caracal_sts_provider_refresh_errors_total', 'counter', num(sts.provider_refresh_errors)],
    ['caracal_sts_provider_circuit_open_total', 'counter', num(sts.provider_circuit_open)],
    ['caracal_sts_audit_replay_oldest_age_seconds', 'gauge', num(sts.audit_replay_oldest_age_seconds)],
    ['caracal_sts_audit_dropped_total', 'counter', num(body.audit_dropped)],
  ];
}

function gatewaySamples(state: FakeCaracalState, pod: FakeCaracalState['gateway'][number], body: Json): Sample[] {
  const stsUnreachable = pod.readyReason === 'sts_unreachable' || pod.readyReason === 'sts_unavailable';
  // Simulated: the fake Gateway has no exchange traffic; an unreachable STS counts one failed exchange per scrape.
  const errors = (exchangeErrors.get(pod) ?? 0) + (stsUnreachable ? 1 : 0);
  exchangeErrors.set(pod, errors);
  return [
    ['caracal_gateway_revocation_snapshot_fresh', 'gauge', num(body.revocation_snapshot_fresh)],
    ['caracal_gateway_revocation_reload_errors_total', 'counter', num(body.revocation_reload_errors)],
    ['caracal_gateway_revocation_propagation_seconds', 'gauge', num(body.revocation_propagation_seconds)],
    ['caracal_gateway_audit_replay_oldest_age_seconds', 'gauge', num(body.audit_replay_oldest_age_seconds)],
    ['caracal_gateway_audit_dropped_total', 'counter', num(body.audit_dropped)],
    ['caracal_gateway_sts_circuit_open', 'gauge', stsUnreachable ? 1 : 0],
    ['caracal_gateway_sts_exchange_errors_total', 'counter', errors],
    // Simulated: connections pile up in the pool while Postgres does not answer.
    ['caracal_db_pool_in_use_ratio', 'gauge', state.deployment.postgresDown ? 1 : 0.1, { pool: 'control' }],
  ];
}

function auditSamples(body: Json): Sample[] {
  return [
    ['caracal_audit_dlq_size', 'gauge', num(body.dlq_size)],
    ['caracal_audit_consumer_lag', 'gauge', num(body.consumer_lag)],
    ['caracal_audit_tamper_mismatch_total', 'counter', num(body.tamper_mismatch_total)],
    ['caracal_audit_tamper_chain_breaks_total', 'counter', num(body.tamper_chain_breaks)],
    ['caracal_audit_tamper_hmac_failures_total', 'counter', num(body.tamper_hmac_failures)],
  ];
}

function apiSamples(pod: FakeCaracalState['api'][number]): Sample[] {
  const dead = typeof pod.notReady === 'object' && pod.notReady !== null ? pod.notReady.deadCount : 0;
  return [
    ['caracal_api_outbox_dead_total', 'gauge', dead],
    // Simulated: the sandbox's outbox rows are either fresh or dead, never pending for long.
    ['caracal_api_outbox_oldest_pending_age_seconds', 'gauge', 0],
  ];
}

export function exposition(samples: readonly Sample[]): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const [name, type, value, labels] of samples) {
    if (!seen.has(name)) lines.push(`# TYPE ${name} ${type}`);
    seen.add(name);
    const l = labels
      ? `{${Object.entries(labels)
          .map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`)
          .join(',')}}`
      : '';
    lines.push(`${name}${l} ${value}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The handler of a service's own GET route for `path`, called directly (no hooks: a scrape is not a client). */
function routeHandler(def: ServiceDef, path: string): RouteDef['handle'] | undefined {
  return def.routes.find((r) => r.path === path && (r.method === 'GET' || r.method === 'ANY'))?.handle;
}

/**
 * Add GET /metrics (Prometheus text) to a pod's service. The JSON twin is read through the service's own
 * /metrics.json route and the pod's fault transform, exactly as /metrics.json is answered; the metrics bearer is
 * required as Caracal requires it. Readiness for kube_pod_container_status_ready is read without the rate limiter.
 */
export function withPrometheus(state: FakeCaracalState, service: ServiceName, index: number, def: ServiceDef): ServiceDef {
  const metrics: RouteDef = {
    method: 'GET',
    path: '/metrics',
    handle: async (c) => {
      const bearer = state.tokens.metricsBearer;
      if (bearer !== null && c.req.headers.authorization !== `Bearer ${bearer}`) return { status: 401, body: 'unauthorized\n' };
      const pod = state[service][index];
      const jsonRoute = routeHandler(def, '/metrics.json');
      const raw = jsonRoute ? await jsonRoute({ ...c, url: new URL('/metrics.json', c.url), params: [] }) : undefined;
      if (raw && raw.status !== 200) return raw;
      const body = obj(raw && pod.transform ? pod.transform('/metrics.json', raw.body) : raw?.body);
      const readyRoute = routeHandler(def, '/ready');
      const ready = readyRoute ? await readyRoute({ ...c, url: new URL('/ready', c.url), params: [] }) : undefined;
      const samples: Sample[] = [
        ...(service === 'sts' ? stsSamples(body) : []),
        ...(service === 'gateway' ? gatewaySamples(state, state.gateway[index], body) : []),
        ...(service === 'audit' ? auditSamples(body) : []),
        ...(service === 'api' ? apiSamples(state.api[index]) : []),
        // kube-state-metrics' series, which CaracalReadinessFlapping reads; the sandbox has no Kubernetes.
        [
          'kube_pod_container_status_ready',
          'gauge',
          ready?.status === 200 ? 1 : 0,
          { pod: `caracal-${service}-${index}`, container: service },
        ],
      ];
      // A service that already answers /metrics (the Gateway's pool gauge) keeps its own series; ours fill the rest.
      const ownRoute = def.routes.find((r) => r.path === '/metrics' && r !== metrics)?.handle;
      const own = ownRoute ? await ownRoute(c) : undefined;
      const ownText = own?.status === 200 && typeof own.body === 'string' ? own.body : '';
      const names = new Set([...ownText.matchAll(/^([a-z_:][a-z0-9_:]*)[{ ]/gm)].map((m) => m[1]));
      return { status: 200, body: ownText + exposition(samples.filter(([name]) => !names.has(name))) };
    },
  };
  const before = def.before;
  return {
    ...def,
    // The service's hooks (rate limits, the Coordinator's auth) are for its API, not for the scrape.
    ...(before ? { before: (c: RouteContext) => (c.url.pathname === '/metrics' ? undefined : before(c)) } : {}),
    routes: [metrics, ...def.routes],
  };
}
