// A simulated Caracal HTTP surface (STS, Gateway pods, Audit, API, Coordinator) answering with the exact shapes
// of caracal-ops.md: /health, /ready, /metrics.json, JWKS, activation-status, the Gateway reload. Its state is
// plain data that tests (and the sandbox) change to inject faults.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * How a service answers at all: normally, never (accepts and stalls), 500 everywhere, or non-JSON bodies;
 * `slow:<ms>` answers normally after a delay.
 */
export type Behaviour = 'normal' | 'hang' | 'http500' | 'malformed' | `slow:${number}`;

export interface GatewayPodState {
  behaviour: Behaviour;
  readyReason: string | undefined;
  snapshotFresh: number;
  snapshotAgeSeconds: number;
  reloadErrors: number;
  replayFiles: number;
  replayOldestSeconds: number;
  auditDropped: number;
}

export interface FakeCaracalState {
  tokens: { metricsBearer?: string; adminToken?: string; coordinatorToken?: string; auditAdminToken?: string };
  sts: { behaviour: Behaviour; readyReason: string | undefined; replayFiles: number; replayOldestSeconds: number; auditDropped: number; compileErrors: number; jwksKeys: Record<string, number | 404 | 500> };
  gateways: GatewayPodState[];
  audit: {
    behaviour: Behaviour;
    readyReason: string | undefined;
    tamper: { mismatch: number; chainBreaks: number; hmacFailures: number; lastSweepUnix: number; lastFullUnix: number };
    dlqSize: number;
  };
  api: { behaviour: Behaviour; ready: { status: number; body: Record<string, unknown> }; activation: Record<string, Record<string, unknown>> };
  coordinator: { behaviour: Behaviour; ready: { status: number; body: Record<string, unknown> } };
}

export function healthyState(now = Date.now(), gatewayPods = 2): FakeCaracalState {
  const nowS = Math.floor(now / 1000);
  return {
    tokens: {},
    sts: { behaviour: 'normal', readyReason: undefined, replayFiles: 0, replayOldestSeconds: 0, auditDropped: 0, compileErrors: 0, jwksKeys: {} },
    gateways: Array.from({ length: gatewayPods }, () => ({
      behaviour: 'normal' as const, readyReason: undefined, snapshotFresh: 1, snapshotAgeSeconds: 12, reloadErrors: 0, replayFiles: 0, replayOldestSeconds: 0, auditDropped: 0,
    })),
    audit: { behaviour: 'normal', readyReason: undefined, tamper: { mismatch: 0, chainBreaks: 0, hmacFailures: 0, lastSweepUnix: nowS - 600, lastFullUnix: nowS - 3000 }, dlqSize: 0 },
    api: { behaviour: 'normal', ready: { status: 200, body: { ok: true } }, activation: {} },
    coordinator: { behaviour: 'normal', ready: { status: 200, body: { ok: true } } },
  };
}

type Handler = (req: IncomingMessage, url: URL) => { status: number; body: unknown } | undefined;

function bearerOk(req: IncomingMessage, token: string | undefined): boolean {
  // Caracal: with no token configured, metrics answer 401 outside dev mode; we model the configured case.
  return token !== undefined && req.headers.authorization === `Bearer ${token}`;
}

const json = (status: number, body: unknown) => ({ status, body });
const goReady = (reason: string | undefined) => (reason ? json(503, { ok: false, ready: false, reason }) : json(200, { ok: true, ready: true }));

async function listen(behaviour: () => Behaviour, handler: Handler): Promise<{ url: string; server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const mode = behaviour();
    if (mode === 'hang') return; // accept, never answer
    if (mode.startsWith('slow:')) {
      setTimeout(() => respond(req, res, 'normal'), Number(mode.slice(5)));
      return;
    }
    respond(req, res, mode);
  });
  function respond(req: IncomingMessage, res: ServerResponse, mode: Behaviour): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (mode === 'http500') {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('internal server error');
      return;
    }
    if (mode === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok": tru');
      return;
    }
    const answer = handler(req, url) ?? json(404, { error: 'not_found' });
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body === '' ? '' : JSON.stringify(answer.body));
  }
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, sockets };
}

export interface FakeCaracal {
  state: FakeCaracalState;
  urls: { sts: string[]; gateway: string[]; audit: string[]; api: string[]; coordinator: string[] };
  close(): Promise<void>;
}

export async function startFakeCaracal(state: FakeCaracalState = healthyState()): Promise<FakeCaracal> {
  const t = () => state.tokens;
  const sts = await listen(() => state.sts.behaviour, (req, url) => {
    if (url.pathname === '/health') return json(200, '');
    if (url.pathname === '/ready') return goReady(state.sts.readyReason);
    if (url.pathname === '/.well-known/jwks.json') {
      const zone = url.searchParams.get('zone_id');
      if (!zone) return json(400, { error: 'zone_id required' });
      const keys = state.sts.jwksKeys[zone] ?? 404;
      if (keys === 404 || keys === 500) return json(keys, { error: keys === 404 ? 'not_found' : 'no_valid_keys' });
      return json(200, { keys: Array.from({ length: keys }, (_, i) => ({ kty: 'EC', crv: 'P-256', kid: `${zone}-k${i}`, x: 'x', y: 'y', alg: 'ES256', use: 'sig' })) });
    }
    if (url.pathname === '/metrics.json') {
      if (!bearerOk(req, t().metricsBearer)) return json(401, { error: 'unauthorized' });
      return json(200, {
        audit_dropped: state.sts.auditDropped,
        opa: { eval_total: 10, eval_errors: 0, compile_total: 3, compile_errors: state.sts.compileErrors, max_policy_age_seconds: 86_400.5, poll_interval_seconds: 60 },
        sts: { audit_replay_files: state.sts.replayFiles, audit_replay_oldest_age_seconds: state.sts.replayOldestSeconds, audit_replay_bytes: state.sts.replayFiles * 512, audit_replay_pending: 0, audit_dropped: state.sts.auditDropped, jwks_invalid_keys: 0 },
      });
    }
    return undefined;
  });
  const gateways = await Promise.all(
    state.gateways.map((_, i) =>
      listen(() => state.gateways[i]!.behaviour, (req, url) => {
        const g = state.gateways[i]!;
        if (url.pathname === '/health') return json(200, '');
        if (url.pathname === '/ready') return goReady(g.readyReason ?? (g.snapshotFresh === 1 ? undefined : 'revocation_snapshot_stale'));
        if (url.pathname === '/metrics.json') {
          if (!bearerOk(req, t().metricsBearer)) return json(401, { error: 'unauthorized' });
          return json(200, {
            revocation_snapshot_fresh: g.snapshotFresh, revocation_snapshot_age_seconds: g.snapshotAgeSeconds, revocation_reload_errors: g.reloadErrors,
            revocation_reloads: 100, revocation_propagation_seconds: 0.4, revocations_active: 3,
            audit_replay_files: g.replayFiles, audit_replay_bytes: g.replayFiles * 512, audit_replay_oldest_age_seconds: g.replayOldestSeconds, audit_dropped: g.auditDropped,
          });
        }
        if (url.pathname === '/internal/revocations/reload' && req.method === 'POST') {
          if (!bearerOk(req, t().adminToken)) return json(404, { error: 'not_found' });
          g.snapshotFresh = 1;
          g.snapshotAgeSeconds = 0;
          return json(200, { ok: true, revocations: 3 });
        }
        return undefined;
      }),
    ),
  );
  const audit = await listen(() => state.audit.behaviour, (req, url) => {
    const a = state.audit;
    if (url.pathname === '/health') return a.readyReason === 'consumer_unhealthy' ? json(503, { reason: 'consumer_unhealthy' }) : json(200, '');
    if (url.pathname === '/ready') return a.readyReason ? json(503, { ok: false, ready: false, reason: a.readyReason }) : json(200, { ready: true });
    if (url.pathname === '/metrics.json') {
      if (!bearerOk(req, t().metricsBearer)) return json(401, { error: 'unauthorized' });
      return json(200, {
        inserts_total: 1000, consumer_lag: 0, consumer_pel_oldest_secs: 0, dlq_size: a.dlqSize, dlq_oldest_age_secs: 0, hmac_failures_total: 0,
        tamper_checked_total: 5000, tamper_mismatch_total: a.tamper.mismatch, tamper_chain_breaks: a.tamper.chainBreaks, tamper_hmac_failures: a.tamper.hmacFailures,
        tamper_last_sweep_unix: a.tamper.lastSweepUnix, tamper_last_full_unix: a.tamper.lastFullUnix,
      });
    }
    return undefined;
  });
  const api = await listen(() => state.api.behaviour, (req, url) => {
    if (url.pathname === '/health') return json(200, { ok: true });
    if (url.pathname === '/ready') return json(state.api.ready.status, state.api.ready.body);
    const m = /^\/v1\/zones\/([^/]+)\/policy-sets\/([^/]+)\/activation-status$/.exec(url.pathname);
    if (m) {
      if (!bearerOk(req, t().adminToken)) return json(401, { error: 'unauthorized' });
      const body = state.api.activation[`${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`];
      return body ? json(200, body) : json(404, { error: 'not_found' });
    }
    return undefined;
  });
  const coordinator = await listen(() => state.coordinator.behaviour, (_req, url) => {
    if (url.pathname === '/health') return json(200, { ok: true });
    if (url.pathname === '/ready') return json(state.coordinator.ready.status, state.coordinator.ready.body);
    return undefined;
  });
  const all = [sts, ...gateways, audit, api, coordinator];
  return {
    state,
    urls: { sts: [sts.url], gateway: gateways.map((g) => g.url), audit: [audit.url], api: [api.url], coordinator: [coordinator.url] },
    async close() {
      for (const s of all) for (const socket of s.sockets) socket.destroy();
      await Promise.all(all.map((s) => new Promise<void>((r) => s.server.close(() => r()))));
    },
  };
}

/** A loaded activation-status body (caracal-ops.md §7.1). */
export function activationStatus(zoneId: string, policySetId: string, propagation = 'loaded'): Record<string, unknown> {
  return {
    zone_id: zoneId, policy_set_id: policySetId, version_id: 'v2', active: true, active_version_id: 'v2', manifest_sha256: 'ab'.repeat(32),
    propagation_status: propagation,
    outbox: { state: propagation === 'waiting_for_outbox' ? 'pending' : 'dispatched', attempts: 1, last_error: null, dispatched_at: '2026-11-28T11:00:00Z' },
    sts: { state: propagation === 'loaded' ? 'loaded' : 'not_loaded' },
  };
}
