// Conformance of the simulated services with real Caracal v1.0, one test per documented fact (caracal-ops.md
// §1, §4, §5, §7, §14 and §15) and per route the bot uses. Written from the fact sheet: each expectation is the
// documented status, body keys and timing, not what the bot's checks happen to read. A fact that changes in
// Caracal changes one test here.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_REDIS_ERROR_DELAY_MS,
  FAKE_ADMIN_TOKEN,
  FAKE_API_READ_TOKEN,
  FAKE_AUDIT_ADMIN_TOKEN,
  FAKE_COORDINATOR_TOKEN,
  FAKE_METRICS_BEARER,
  activationBody,
  startFakeCaracal,
  type FakeCaracal,
} from '../../../src/sandbox/fake-caracal.ts';
import { call, keys } from './helpers.ts';

const ZONE = '0b6f3a52-1c1e-4d1a-9c59-6d3f3c1b2a10';
const SET = '0b6f3a52-1c1e-4d1a-9c59-6d3f3c1b2aa1';
const ROW = '0190b000-0000-7000-8000-0000000000d1';

let fake: FakeCaracal;
beforeEach(async () => {
  // Caracal counts its limits per calendar minute (§1.5, §1.6): the simulated clock starts each test at the top of a
  // minute, so a test's hundreds of calls never straddle two windows, however slow the machine.
  const started = Date.now();
  const minute = started - (started % 60_000);
  fake = await startFakeCaracal({ redisErrorDelayMs: { api: 150, coordinator: 150 }, now: () => minute + (Date.now() - started) });
  fake.state.policySets[`${ZONE}/${SET}`] = activationBody(ZONE, SET);
  for (const sts of fake.state.sts) sts.jwks[ZONE] = 1;
});
afterEach(() => fake.close());
const url = (service: keyof FakeCaracal['urls'], path: string) => `${fake.urls[service][0]}${path}`;

describe('readiness bodies (§1.2-§1.6, §13.2)', () => {
  it('success bodies differ per service: Go {ok,ready}, Audit {ready}, API and Coordinator {ok}', async () => {
    expect((await call(url('sts', '/ready'))).body).toEqual({ ok: true, ready: true });
    expect((await call(url('gateway', '/ready'))).body).toEqual({ ok: true, ready: true });
    expect((await call(url('audit', '/ready'))).body).toEqual({ ready: true });
    expect((await call(url('api', '/ready'))).body).toEqual({ ok: true });
    expect((await call(url('coordinator', '/ready'))).body).toEqual({ ok: true });
  });

  it('Go services fail with `reason`, API and Coordinator with `error` and `dependency`', async () => {
    fake.state.deployment.postgresDown = true;
    const sts = await call(url('sts', '/ready'));
    expect({ status: sts.status, keys: keys(sts.body) }).toEqual({ status: 503, keys: ['ok', 'ready', 'reason'] });
    const api = await call(url('api', '/ready'));
    expect({ status: api.status, body: api.body }).toEqual({
      status: 503,
      body: { ok: false, error: 'postgres_unreachable', dependency: 'postgres' },
    });
  });
});

describe('§15.1.1 Redis outage: API and Coordinator /ready answer 500 internal_error only after a delay', () => {
  it('the default delay lies within the measured 0.5 to 21 s, the Coordinator near 20 s', () => {
    for (const ms of Object.values(DEFAULT_REDIS_ERROR_DELAY_MS)) {
      expect(ms).toBeGreaterThanOrEqual(500);
      expect(ms).toBeLessThanOrEqual(21_000);
    }
    expect(DEFAULT_REDIS_ERROR_DELAY_MS.coordinator).toBeGreaterThanOrEqual(18_000);
  });

  it.each(['api', 'coordinator'] as const)(
    '%s: 500 {error, error_description, requestId}, never before the delay; /health stays 200',
    async (service) => {
      fake.state.deployment.redisDown = true;
      const ready = await call(url(service, '/ready'));
      expect(ready.status).toBe(500);
      expect(keys(ready.body)).toEqual(['error', 'error_description', 'requestId']);
      expect((ready.body as { error: string }).error).toBe('internal_error');
      // A lower bound only: a loaded machine can make it later, never earlier.
      expect(ready.ms).toBeGreaterThanOrEqual(150);
      expect((await call(url(service, '/health'))).status).toBe(200);
    },
  );

  it('when Redis returns, both are ready again', async () => {
    fake.state.deployment.redisDown = true;
    fake.state.deployment.redisDown = false;
    expect((await call(url('api', '/ready'))).status).toBe(200);
    expect((await call(url('coordinator', '/ready'))).status).toBe(200);
  });
});

describe('§15.1.2 dead rows fail readiness', () => {
  it('API: 503 outbox_dead_messages with deadCount and limit', async () => {
    fake.state.api[0].notReady = { deadCount: 2, limit: 0 };
    const r = await call(url('api', '/ready'));
    expect({ status: r.status, body: r.body }).toEqual({
      status: 503,
      body: { ok: false, error: 'outbox_dead_messages', deadCount: 2, limit: 0 },
    });
  });
  it('Coordinator: 503 outbox_dead, dependency outbox', async () => {
    fake.state.coordinator[0].notReady = 'outbox_dead';
    const r = await call(url('coordinator', '/ready'));
    expect({ status: r.status, body: r.body }).toEqual({ status: 503, body: { ok: false, error: 'outbox_dead', dependency: 'outbox' } });
  });
});

describe('§15.1.3 Coordinator requeue POST /zones/{zone}/outbox/{id}/requeue', () => {
  const requeue = (id = ROW, init: { body?: string; contentType?: string; token?: string } = {}) =>
    call(url('coordinator', `/zones/${ZONE}/outbox/${id}/requeue`), { method: 'POST', token: FAKE_COORDINATOR_TOKEN, ...init });

  it('200 {id, status: pending} for a dead row, then 404 dead_outbox_not_found on a second call', async () => {
    fake.stores.coordinatorOutbox.push({ id: ROW, zoneId: ZONE, status: 'dead' });
    const first = await requeue();
    expect({ status: first.status, body: first.body }).toEqual({ status: 200, body: { id: ROW, status: 'pending' } });
    expect(fake.stores.coordinatorOutbox[0]?.status).toBe('pending');
    const second = await requeue();
    expect({ status: second.status, body: second.body }).toEqual({ status: 404, body: { error: 'dead_outbox_not_found' } });
  });
  it('a row of another zone is not found', async () => {
    fake.stores.coordinatorOutbox.push({ id: ROW, zoneId: SET, status: 'dead' });
    expect((await requeue()).body).toEqual({ error: 'dead_outbox_not_found' });
  });
  it('non-UUID id: 400 invalid_body', async () => {
    const r = await requeue('not-a-uuid');
    expect(r.status).toBe(400);
    expect((r.body as { error: string }).error).toBe('invalid_body');
  });
  it('content-type application/json with an empty body: 400', async () => {
    fake.stores.coordinatorOutbox.push({ id: ROW, zoneId: ZONE, status: 'dead' });
    expect((await requeue(ROW, { contentType: 'application/json', body: '' })).status).toBe(400);
    expect(fake.stores.coordinatorOutbox[0]?.status).toBe('dead');
  });
});

describe('§15.1.4 Coordinator auth runs before routing', () => {
  it('missing token 401 missing_token; wrong token 401 invalid_token; unknown route without a token 401', async () => {
    const path = `/zones/${ZONE}/outbox/${ROW}/requeue`;
    expect(await call(url('coordinator', path), { method: 'POST' })).toMatchObject({ status: 401, body: { error: 'missing_token' } });
    expect(await call(url('coordinator', path), { method: 'POST', token: 'wrong' })).toMatchObject({
      status: 401,
      body: { error: 'invalid_token' },
    });
    expect((await call(url('coordinator', '/no/such/route'))).status).toBe(401);
  });
  it('the token unset on the Coordinator: every token is invalid_token', async () => {
    fake.state.tokens.coordinatorToken = null;
    expect(await call(url('coordinator', '/stats'), { token: FAKE_COORDINATOR_TOKEN })).toMatchObject({
      status: 401,
      body: { error: 'invalid_token' },
    });
  });
  it('/stats: no token 401 missing_token, a non-operator token 403 operator_token_required, the operator token 200 JSON', async () => {
    expect(await call(url('coordinator', '/stats'))).toMatchObject({ status: 401, body: { error: 'missing_token' } });
    expect(await call(url('coordinator', '/stats'), { token: FAKE_METRICS_BEARER })).toMatchObject({
      status: 403,
      body: { error: 'operator_token_required' },
    });
    const ok = await call(url('coordinator', '/stats'), { token: FAKE_COORDINATOR_TOKEN });
    expect(ok.status).toBe(200);
    expect(keys(ok.body)).toEqual([
      'idempotency',
      'invocations',
      'log',
      'outbox',
      'retention_cleaner',
      'service_lease_sweeper',
      'ttl_sweeper',
    ]);
    expect(keys((ok.body as { outbox: unknown }).outbox)).toEqual(['dead', 'pending', 'published']);
    expect(keys((ok.body as { ttl_sweeper: unknown }).ttl_sweeper)).toEqual(expect.arrayContaining(['failures', 'runs']));
  });
  it('/ready allows 120 requests per minute per IP: the 121st gets 429 rate_limited', async () => {
    for (let i = 0; i < 120; i++) expect((await call(url('coordinator', '/ready'))).status).toBe(200);
    expect(await call(url('coordinator', '/ready'))).toMatchObject({ status: 429, body: { error: 'rate_limited' } });
    // /health is outside every limit.
    expect((await call(url('coordinator', '/health'))).status).toBe(200);
  });
  it('API /ready has the same 120 per minute limit', async () => {
    for (let i = 0; i < 120; i++) await call(url('api', '/ready'));
    expect(await call(url('api', '/ready'))).toMatchObject({ status: 429, body: { error: 'rate_limited' } });
  });
  it('every Coordinator route but /health shares 600 per minute per IP', async () => {
    fake.state.limits.readyPerMinute = 0;
    for (let i = 0; i < 600; i++) await call(url('coordinator', '/ready'));
    expect(await call(url('coordinator', '/stats'), { token: FAKE_COORDINATOR_TOKEN })).toMatchObject({
      status: 429,
      body: { error: 'rate_limited' },
    });
    expect((await call(url('coordinator', '/health'))).status).toBe(200);
  });
});

describe('§15.1.5 API admin errors and §15.1.6 activation status', () => {
  const path = `/v1/zones/${ZONE}/policy-sets/${SET}/activation-status`;
  it('a wrong token: 401 invalid_admin_token', async () => {
    expect(await call(url('api', path), { token: 'wrong' })).toMatchObject({ status: 401, body: { error: 'invalid_admin_token' } });
  });
  it('a read-only token is enough for activation status', async () => {
    const r = await call(url('api', path), { token: FAKE_API_READ_TOKEN });
    expect(r.status).toBe(200);
    expect(keys(r.body)).toEqual([
      'active',
      'active_version_id',
      'manifest_sha256',
      'outbox',
      'policy_set_id',
      'propagation_status',
      'sts',
      'version_id',
      'zone_id',
    ]);
  });
  it('an unknown binding: 404 policy_set_binding_not_found', async () => {
    expect(await call(url('api', `/v1/zones/${ZONE}/policy-sets/${ROW}/activation-status`), { token: FAKE_API_READ_TOKEN })).toMatchObject({
      status: 404,
      body: { error: 'policy_set_binding_not_found' },
    });
  });
  it('unknown routes answer JSON 404 (Fastify), the Go services plain text', async () => {
    const api = await call(url('api', '/v1/nope'), { token: FAKE_API_READ_TOKEN });
    expect({ status: api.status, json: api.contentType.includes('json'), keys: keys(api.body) }).toEqual({
      status: 404,
      json: true,
      keys: ['error', 'message', 'statusCode'],
    });
    const sts = await call(url('sts', '/nope'));
    expect({ status: sts.status, body: sts.body }).toEqual({ status: 404, body: '404 page not found\n' });
  });
  it('Postgres down: admin tokens cannot be checked, 500', async () => {
    fake.state.deployment.postgresDown = true;
    expect((await call(url('api', path), { token: FAKE_API_READ_TOKEN })).status).toBe(500);
  });
  it('Redis down: /v1 routes pass the Redis rate limit first, 500 internal_error after the delay', async () => {
    fake.state.deployment.redisDown = true;
    const r = await call(url('api', path), { token: FAKE_API_READ_TOKEN });
    expect(r).toMatchObject({ status: 500, body: { error: 'internal_error' } });
    expect(r.ms).toBeGreaterThanOrEqual(150);
  });
});

describe('§15.2.7 JWKS (§7.2)', () => {
  it('zone_id is mandatory (400); keys per zone (200); no key 404; 404 also while Postgres is down', async () => {
    expect((await call(url('sts', '/.well-known/jwks.json'))).status).toBe(400);
    const ok = await call(url('sts', `/.well-known/jwks.json?zone_id=${ZONE}`));
    expect({ status: ok.status, keys: keys((ok.body as { keys: unknown[] }).keys[0]) }).toEqual({
      status: 200,
      keys: ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'],
    });
    expect((await call(url('sts', `/.well-known/jwks.json?zone_id=${SET}`))).status).toBe(404);
    fake.state.deployment.postgresDown = true;
    expect((await call(url('sts', `/.well-known/jwks.json?zone_id=${ZONE}`))).status).toBe(404);
  });
});

describe('§5.2, §15 Audit admin routes: POST /api/audit/dlq/replay', () => {
  const replay = (token?: string, limit = '1000') =>
    call(url('audit', `/api/audit/dlq/replay?limit=${limit}`), { method: 'POST', ...(token ? { token } : {}) });
  it('a wrong token: 401; the token unset on Audit: 404', async () => {
    expect((await replay('wrong')).status).toBe(401);
    fake.state.tokens.auditAdminToken = null;
    expect(await replay(FAKE_AUDIT_ADMIN_TOKEN)).toMatchObject({ status: 404, body: '404 page not found\n' });
  });
  it('a bad limit: 400', async () => {
    expect((await replay(FAKE_AUDIT_ADMIN_TOKEN, '0')).status).toBe(400);
  });
  it('§15.2.5 replays only a replayable prefix followed by a colon with non-blank src_data; returns {scanned, replayed, skipped}', async () => {
    fake.stores.auditDlq.push(
      { reason: 'hmac_verify_failed', srcData: '{"id":"a"}' },
      { reason: 'transient_exceeded_max_deliveries:conn refused', srcData: '{"id":"b"}' },
      { reason: 'transient_exceeded_max_deliveries', srcData: '{"id":"c"}' },
      { reason: 'pg_permanent_error:23502', srcData: '   ' },
      { reason: 'pg_permanent_error:23502', srcData: '{"id":"e"}' },
    );
    const r = await replay(FAKE_AUDIT_ADMIN_TOKEN);
    expect({ status: r.status, body: r.body }).toEqual({ status: 200, body: { scanned: 5, replayed: 2, skipped: 3 } });
    expect(fake.stores.replayed).toEqual(['{"id":"b"}', '{"id":"e"}']);
    expect(fake.stores.auditDlq.map((e) => e.reason)).toEqual([
      'hmac_verify_failed',
      'transient_exceeded_max_deliveries',
      'pg_permanent_error:23502',
    ]);
  });
});

describe('Gateway routes the bot uses (§6, §14.1)', () => {
  it('POST /internal/revocations/reload: admin token 200; unset or wrong 404; Postgres down 503 revocation_reload_failed', async () => {
    const reload = (token?: string) =>
      call(url('gateway', '/internal/revocations/reload'), { method: 'POST', ...(token ? { token } : {}) });
    expect(await reload(FAKE_ADMIN_TOKEN)).toMatchObject({ status: 200, body: { ok: true } });
    expect((await reload('wrong')).status).toBe(404);
    fake.state.deployment.postgresDown = true;
    expect(await reload(FAKE_ADMIN_TOKEN)).toMatchObject({ status: 503, body: { reason: 'revocation_reload_failed' } });
  });
  it('/metrics.json answers any method, keys without _total; /metrics is Prometheus text with the pool gauge', async () => {
    const m = await call(url('gateway', '/metrics.json'), { method: 'POST', token: FAKE_METRICS_BEARER });
    expect(m.status).toBe(200);
    expect(keys(m.body)).toEqual(
      expect.arrayContaining([
        'revocation_snapshot_fresh',
        'revocation_reload_errors',
        'revocation_invalid_signatures',
        'sts_circuit_open',
        'sts_exchange_errors',
        'audit_replay_files',
      ]),
    );
    expect(keys(m.body).some((k) => k.endsWith('_total'))).toBe(false);
    const p = await call(url('gateway', '/metrics'), { token: FAKE_METRICS_BEARER });
    expect(p.contentType).toContain('text/plain');
    expect(p.body).toMatch(/^caracal_db_pool_in_use_ratio\{service="gateway"\} [\d.]+$/m);
    expect((await call(url('gateway', '/metrics.json'))).status).toBe(401);
  });
  it('STS /metrics.json nests replay and policy keys (§14.1)', async () => {
    const m = await call(url('sts', '/metrics.json'), { token: FAKE_METRICS_BEARER });
    expect(keys(m.body)).toEqual(['audit_dropped', 'opa', 'sts']);
    expect(keys((m.body as { opa: unknown }).opa)).toEqual(
      expect.arrayContaining(['compile_errors', 'eval_errors', 'max_policy_age_seconds']),
    );
  });
  it('Audit /metrics.json is flat with tamper, DLQ, HMAC and replay-tamper counters (§14.1)', async () => {
    const m = await call(url('audit', '/metrics.json'), { token: FAKE_METRICS_BEARER });
    expect(keys(m.body)).toEqual(
      expect.arrayContaining([
        'tamper_mismatch_total',
        'tamper_chain_breaks',
        'tamper_hmac_failures',
        'tamper_last_sweep_unix',
        'tamper_last_full_unix',
        'dlq_size',
        'consumer_lag',
        'hmac_failures_total',
        'tamper_replay_total',
      ]),
    );
  });
});

describe('Control (§8): POST /v1/control/invoke', () => {
  it('not mounted: JSON 404; gate file absent: 503 control_disabled; open: 401 for a call without a token', async () => {
    const invoke = () => call(url('api', '/v1/control/invoke'), { method: 'POST', body: '{}', contentType: 'application/json' });
    expect((await invoke()).status).toBe(404);
    fake.state.control = 'closed';
    expect(await invoke()).toMatchObject({ status: 503, body: { ok: false, error: { code: 'control_disabled' } } });
    fake.state.control = 'open';
    expect((await invoke()).status).toBe(401);
  });
});
