// A simulated Caracal deployment over real local HTTP: one server per pod (127.0.0.1, port 0) for STS, Gateway,
// Audit, API and Coordinator, answering /health, /ready, /metrics.json, JWKS, activation-status and the Gateway
// reload with the exact shapes of caracal-ops.md. Tests and the sandbox change `state` to inject faults.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ServiceName } from '../config.ts';
import * as s from './fake-caracal-state.ts';
import { withPrometheus } from './caracal/prometheus.ts';

export * from './fake-caracal-state.ts';

export interface RecordedRequest {
  service: ServiceName;
  pod: number;
  method: string;
  path: string;
  authorization: string | undefined;
}

export interface FakeCaracal {
  /** Pod base URLs per service: drop straight into `caracal.services`. */
  urls: Record<ServiceName, string[]>;
  state: s.FakeCaracalState;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface FakeCaracalOptions {
  pods?: Partial<Record<ServiceName, number>>;
  tokens?: Partial<s.FakeCaracalState['tokens']>;
  now?: () => number;
}

export const FAKE_METRICS_BEARER = 'fake-metrics-bearer-6b1e';
export const FAKE_ADMIN_TOKEN = 'fake-admin-token-93cd';

type Route = (req: IncomingMessage, url: URL) => s.Answer | undefined;
const json = (status: number, body: unknown): s.Answer => ({ status, body });

function metricsGate(state: s.FakeCaracalState, req: IncomingMessage): s.Answer | undefined {
  const bearer = state.tokens.metricsBearer;
  // With METRICS_BEARER unset the metrics are open (dev mode); set, it must match exactly (§1.1).
  return bearer === null || req.headers.authorization === `Bearer ${bearer}` ? undefined : json(401, 'unauthorized\n');
}

function stsRoute(state: s.FakeCaracalState, p: s.StsPod): Route {
  return (req, url) => {
    if (url.pathname === '/health') return json(200, '');
    if (url.pathname === '/ready') return s.stsReady(state.deployment, p);
    if (url.pathname === '/.well-known/jwks.json') {
      const zone = url.searchParams.get('zone_id');
      if (!zone) return json(400, 'zone_id required\n');
      const answer = p.jwks[zone] ?? 'no_signing_key';
      if (answer === 'no_signing_key') return json(404, 'not found\n');
      if (answer === 'no_key_decrypts') return json(500, 'internal error\n');
      const keys = Array.from({ length: answer }, (_, i) => ({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: `sk-${zone}-${i}`, x: 'eA', y: 'eQ' }));
      return json(200, { keys });
    }
    if (url.pathname !== '/metrics.json') return undefined;
    return metricsGate(state, req) ?? json(200, {
      audit_dropped: p.auditDropped,
      opa: {
        eval_total: 40, eval_errors: 0, eval_duration_ns: 123456, compile_total: 4, compile_errors: p.compileErrors,
        compile_duration_ns: 98765, max_policy_age_seconds: p.maxPolicyAgeSeconds, poll_interval_seconds: p.pollIntervalSeconds,
        decision_contract_version: 1, decision_contract_sha256: 'cd'.repeat(32),
      },
      sts: {
        graph_traversals: 9, audit_dropped: p.auditDropped, audit_replay_pending: 0, audit_replay_files: p.replayFiles,
        audit_replay_bytes: p.replayFiles * 2048, audit_replay_oldest_age_seconds: p.replayOldestSeconds, jwks_invalid_keys: 0,
      },
    });
  };
}

function gatewayRoute(state: s.FakeCaracalState, p: s.GatewayPod): Route {
  return (req, url) => {
    if (url.pathname === '/health') return json(200, '');
    if (url.pathname === '/ready') return s.gatewayReady(state.deployment, p);
    if (url.pathname === '/internal/revocations/reload' && req.method === 'POST') {
      if (state.tokens.adminToken === null || req.headers.authorization !== `Bearer ${state.tokens.adminToken}`) return json(404, '404 page not found\n');
      if (state.deployment.postgresDown) {
        p.reloadErrors++;
        return json(503, { ok: false, ready: false, reason: 'revocation_reload_failed' });
      }
      p.reloads++;
      p.snapshotAgeSeconds = 0;
      return json(200, { ok: true, revocations: p.revocations });
    }
    // The Gateway answers /metrics.json on any method; JSON keys carry no _total suffix (§14.1).
    if (url.pathname !== '/metrics.json') return undefined;
    return metricsGate(state, req) ?? json(200, {
      requests: 1000, requests_allowed: 990, requests_denied: 10,
      revocation_snapshot_fresh: s.gatewayFresh(p) ? 1 : 0, revocation_snapshot_age_seconds: p.snapshotAgeSeconds ?? 0,
      revocation_reload_errors: p.reloadErrors, revocation_reloads: p.reloads, revocation_propagation_seconds: 0.4,
      revocations_active: p.revocations, audit_replay_files: p.replayFiles, audit_replay_bytes: p.replayFiles * 2048,
      audit_replay_oldest_age_seconds: p.replayOldestSeconds, audit_dropped: p.auditDropped,
    });
  };
}

function auditRoute(state: s.FakeCaracalState, p: s.AuditPod): Route {
  return (req, url) => {
    const ready = s.auditReady(state.deployment, p);
    const consumerDown = ready.status !== 200 && (ready.body as { reason?: string }).reason === 'consumer_unhealthy';
    if (url.pathname === '/health') return consumerDown ? json(503, 'consumer_unhealthy\n') : json(200, '');
    if (url.pathname === '/ready') return ready;
    if (url.pathname !== '/metrics.json') return undefined;
    return metricsGate(state, req) ?? json(200, {
      inserts_total: 5000, consumer_lag: p.consumerLag, consumer_pel_oldest_secs: 0, dlq_size: p.dlqSize, dlq_oldest_age_secs: 0,
      parse_errors_total: 0, dlq_total: p.dlqSize, retries_total: 0, hmac_failures_total: 0, tamper_replay_total: 0,
      tamper_checked_total: 4800, tamper_mismatch_total: p.tamperMismatch, tamper_chain_breaks: p.tamperChainBreaks,
      tamper_hmac_failures: p.tamperHmacFailures, tamper_last_sweep_unix: p.lastSweepUnix, tamper_last_full_unix: p.lastFullUnix,
    });
  };
}

const ACTIVATION = /^\/v1\/zones\/([^/]+)\/policy-sets\/([^/]+)\/activation-status$/;

function apiRoute(state: s.FakeCaracalState, p: s.ApiPod): Route {
  return (req, url) => {
    if (url.pathname === '/health') return json(200, { ok: true });
    if (url.pathname === '/ready') return s.apiReady(state.deployment, p);
    const m = ACTIVATION.exec(url.pathname);
    if (!m) return undefined;
    if (state.tokens.adminToken === null || req.headers.authorization !== `Bearer ${state.tokens.adminToken}`) return json(401, { error: 'unauthorized' });
    const body = state.policySets[`${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}`];
    return body ? json(200, body) : json(404, { error: 'not_found' });
  };
}

function coordinatorRoute(state: s.FakeCaracalState, p: s.CoordinatorPod): Route {
  return (_req, url) => {
    if (url.pathname === '/health') return json(200, { ok: true });
    if (url.pathname === '/ready') return s.coordinatorReady(state.deployment, p);
    return undefined;
  };
}

function send(res: ServerResponse, answer: s.Answer): void {
  const isText = typeof answer.body === 'string';
  res.writeHead(answer.status, { 'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json' });
  res.end(isText ? answer.body : JSON.stringify(answer.body));
}

/** `current` is read per request, so a test may replace a pod's whole state object as well as mutate it. */
async function listen(current: () => { fault: s.Fault; transform?: s.Transform; delayMs?: number }, route: Route, record: (req: IncomingMessage, path: string) => void) {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const delay = current().delayMs ?? 0;
    if (delay > 0) setTimeout(() => respond(req, res), delay);
    else respond(req, res);
  });
  function respond(req: IncomingMessage, res: ServerResponse): void {
    const pod = current();
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    record(req, url.pathname);
    if (pod.fault === 'hang') return; // accept, read, never answer
    if (pod.fault === 'http500') return send(res, json(500, 'Internal Server Error\n'));
    if (pod.fault === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":tru');
      return;
    }
    const answer = pod.fault === 'rate_limited' ? json(429, { error: 'rate_limited' }) : (route(req, url) ?? json(404, '404 page not found\n'));
    send(res, pod.transform && typeof answer.body !== 'string' ? { ...answer, body: pod.transform(url.pathname, answer.body) } : answer);
  }
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close };
}

/** A healthy deployment: one pod per service unless `pods` says otherwise, both tokens set. */
export async function startFakeCaracal(options: FakeCaracalOptions = {}): Promise<FakeCaracal> {
  const nowUnix = Math.floor((options.now?.() ?? Date.now()) / 1000);
  const n = (service: ServiceName) => options.pods?.[service] ?? 1;
  const many = <T>(service: ServiceName, make: () => T): T[] => Array.from({ length: n(service) }, make);
  const state: s.FakeCaracalState = {
    deployment: { postgresDown: false, redisDown: false },
    tokens: { metricsBearer: FAKE_METRICS_BEARER, adminToken: FAKE_ADMIN_TOKEN, ...options.tokens },
    policySets: {},
    sts: many('sts', s.healthySts),
    gateway: many('gateway', s.healthyGateway),
    audit: many('audit', () => s.healthyAudit(nowUnix)),
    api: many('api', () => ({ fault: 'none', notReady: null })),
    coordinator: many('coordinator', () => ({ fault: 'none', notReady: null })),
  };
  const requests: RecordedRequest[] = [];
  // Each pod also answers Prometheus /metrics, derived from its /metrics.json (src/sandbox/caracal/prometheus.ts).
  const routes: Record<ServiceName, (i: number) => Route> = {
    sts: (i) => withPrometheus(state, 'sts', i, stsRoute(state, state.sts[i])),
    gateway: (i) => withPrometheus(state, 'gateway', i, gatewayRoute(state, state.gateway[i])),
    audit: (i) => withPrometheus(state, 'audit', i, auditRoute(state, state.audit[i])),
    api: (i) => withPrometheus(state, 'api', i, apiRoute(state, state.api[i])),
    coordinator: (i) => withPrometheus(state, 'coordinator', i, coordinatorRoute(state, state.coordinator[i])),
  };
  const services = Object.keys(routes) as ServiceName[];
  const servers = await Promise.all(
    services.flatMap((service) =>
      state[service].map(async (_pod, i) => ({
        service,
        ...(await listen(() => state[service][i], (req, url) => routes[service](i)(req, url), (req, path) =>
          requests.push({ service, pod: i, method: req.method ?? 'GET', path, authorization: req.headers.authorization }))),
      })),
    ),
  );
  const urls = Object.fromEntries(services.map((sv) => [sv, servers.filter((x) => x.service === sv).map((x) => x.url)])) as Record<ServiceName, string[]>;
  return { urls, state, requests, close: async () => void (await Promise.all(servers.map((x) => x.close()))) };
}
