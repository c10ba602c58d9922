// A simulated Caracal deployment over real local HTTP: one server per pod (127.0.0.1, port 0) for STS, Gateway,
// Audit, API and Coordinator. The routes (fake-caracal-routes.ts) answer with the exact shapes of caracal-ops.md;
// tests and the sandbox change `state` to inject faults, and `backend` to give the routes real stores.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ServiceName } from '../config.ts';
import { memoryBackend, type MemoryStores } from './fake-caracal-backend.ts';
import { SERVICE_DEFS, type PodEnv, type RouteContext, type ServiceDef } from './fake-caracal-routes.ts';
import { withPrometheus } from './caracal/prometheus.ts';
import type * as s from './fake-caracal-state.ts';
import { healthyAudit, healthyGateway, healthySts, type Fault, type Transform } from './fake-caracal-pods.ts';
import type { Answer } from './fake-caracal-readiness.ts';

export * from './fake-caracal-state.ts';
export * from './fake-caracal-pods.ts';
export * from './fake-caracal-readiness.ts';

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
  /** The in-memory stores behind the routes that act, unless `backend` was replaced. */
  stores: MemoryStores;
  /** What the requeue, DLQ replay and /stats routes act on; the sandbox points it at its real stores. */
  backend: s.FakeBackend;
  close(): Promise<void>;
}

export interface FakeCaracalOptions {
  pods?: Partial<Record<ServiceName, number>>;
  tokens?: Partial<s.FakeCaracalState['tokens']>;
  redisErrorDelayMs?: Partial<s.RedisErrorDelays>;
  now?: () => number;
}

export const FAKE_METRICS_BEARER = 'fake-metrics-bearer-6b1e';
export const FAKE_ADMIN_TOKEN = 'fake-admin-token-93cd';
export const FAKE_API_READ_TOKEN = 'fake-api-read-token-41ab';
export const FAKE_COORDINATOR_TOKEN = 'fake-coordinator-token-77e0';
export const FAKE_AUDIT_ADMIN_TOKEN = 'fake-audit-admin-token-c5d2';

/** The real ioredis retry time is 0.5 to 21 s (§15.1.1); the Coordinator's was about 20 s every time. */
export const DEFAULT_REDIS_ERROR_DELAY_MS: s.RedisErrorDelays = { api: 2_000, coordinator: 20_000 };

const json = (status: number, body: unknown): Answer => ({ status, body });

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Hooks first, then the first route whose method and path match, else the service's own 404. */
async function dispatch(def: ServiceDef, c: Omit<RouteContext, 'params'>): Promise<Answer> {
  const early = def.before?.({ ...c, params: [] });
  if (early) return early;
  for (const route of def.routes) {
    if (route.method !== 'ANY' && route.method !== c.req.method) continue;
    const m =
      typeof route.path === 'string' ? (route.path === c.url.pathname ? [] : null) : (route.path.exec(c.url.pathname)?.slice(1) ?? null);
    if (m) return route.handle({ ...c, params: m });
  }
  return def.notFound({ ...c, params: [] });
}

function send(res: ServerResponse, answer: Answer & { raw?: string }): void {
  const isText = typeof answer.body === 'string';
  res.writeHead(answer.status, { 'content-type': answer.raw ?? (isText ? 'text/plain; charset=utf-8' : 'application/json') });
  res.end(isText ? answer.body : JSON.stringify(answer.body));
}

/** `current` is read per request, so a test may replace a pod's whole state object as well as mutate it. */
async function listen(
  current: () => { fault: Fault; transform?: Transform; delayMs?: number },
  service: () => ServiceDef,
  record: (req: IncomingMessage, path: string) => void,
) {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const delay = current().delayMs ?? 0;
    if (delay > 0) setTimeout(() => respond(req, res), delay);
    else respond(req, res);
  });
  function respond(req: IncomingMessage, res: ServerResponse): void {
    void answer(req).then(
      (a) => (res.destroyed ? undefined : send(res, a)),
      () => res.destroy(),
    );
  }
  async function answer(req: IncomingMessage): Promise<Answer> {
    const pod = current();
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    record(req, url.pathname);
    const body = await readBody(req);
    if (pod.fault === 'hang') return new Promise<never>(() => undefined); // accept, read, never answer
    if (pod.fault === 'http500') return json(500, 'Internal Server Error\n');
    if (pod.fault === 'malformed') return { status: 200, body: '{"ok":tru', raw: 'application/json' } as Answer;
    const a = pod.fault === 'rate_limited' ? json(429, { error: 'rate_limited' }) : await dispatch(service(), { req, url, body });
    return pod.transform && typeof a.body !== 'string' ? { ...a, body: pod.transform(url.pathname, a.body) } : a;
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
    tokens: {
      metricsBearer: FAKE_METRICS_BEARER,
      adminToken: FAKE_ADMIN_TOKEN,
      apiReadToken: FAKE_API_READ_TOKEN,
      coordinatorToken: FAKE_COORDINATOR_TOKEN,
      auditAdminToken: FAKE_AUDIT_ADMIN_TOKEN,
      canaryMandate: null,
      ...options.tokens,
    },
    gatewayPolicy: { zoneId: 'zone-1', allowedResources: ['canary-allowed'] },
    auditEvents: [],
    auditBacklog: [],
    auditConsumerPaused: false,
    limits: { readyPerMinute: 120, coordinatorPerMinute: 600 },
    control: 'absent',
    redisErrorDelayMs: { ...DEFAULT_REDIS_ERROR_DELAY_MS, ...options.redisErrorDelayMs },
    coordinatorJobs: {
      ttl_sweeper: { runs: 40, failures: 0 },
      service_lease_sweeper: { runs: 80, failures: 0 },
      retention_cleaner: { runs: 3, failures: 0 },
    },
    policySets: {},
    sts: many('sts', healthySts),
    gateway: many('gateway', healthyGateway),
    audit: many('audit', () => healthyAudit(nowUnix)),
    api: many('api', () => ({ fault: 'none', notReady: null })),
    coordinator: many('coordinator', () => ({ fault: 'none', notReady: null })),
  };
  const requests: RecordedRequest[] = [];
  const stores: MemoryStores = { coordinatorOutbox: [], auditDlq: [], replayed: [] };
  const fake: Omit<FakeCaracal, 'urls' | 'close'> = { state, requests, stores, backend: memoryBackend(stores) };
  const env: PodEnv = {
    state,
    now: options.now ?? Date.now,
    get backend() {
      return fake.backend;
    },
  };
  // One ServiceDef per pod, kept for the pod's life (its rate-limit counters live there); rebuilt if a test
  // replaces the pod's state object.
  const defs = new Map<string, { pod: unknown; def: ServiceDef }>();
  const serviceOf = <K extends ServiceName>(service: K, i: number): ServiceDef => {
    const pod = state[service][i];
    const key = `${service}/${i}`;
    const known = defs.get(key);
    if (known && known.pod === pod) return known.def;
    // Each pod also answers Prometheus /metrics, derived from its /metrics.json (src/sandbox/caracal/prometheus.ts).
    const def = withPrometheus(state, service, i, SERVICE_DEFS[service](env, pod));
    defs.set(key, { pod, def });
    return def;
  };
  const services: ServiceName[] = ['sts', 'gateway', 'audit', 'api', 'coordinator'];
  const servers = await Promise.all(
    services.flatMap((service) =>
      state[service].map(async (_pod, i) => ({
        service,
        ...(await listen(
          () => state[service][i],
          () => serviceOf(service, i),
          (req, path) => requests.push({ service, pod: i, method: req.method ?? 'GET', path, authorization: req.headers.authorization }),
        )),
      })),
    ),
  );
  const urls = Object.fromEntries(services.map((sv) => [sv, servers.filter((x) => x.service === sv).map((x) => x.url)])) as Record<
    ServiceName,
    string[]
  >;
  return Object.assign(fake, { urls, close: async () => void (await Promise.all(servers.map((x) => x.close()))) });
}
