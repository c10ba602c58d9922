import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { servicesReady } from '../../../src/checks/http/services-ready.ts';
import type { MatrixRow } from '../../../src/domain/failure-matrix.ts';
import type { ApiNotReady, AuditReason, CoordinatorNotReady, GatewayReason, StsReason } from '../../../src/sandbox/fake-caracal.ts';
import { startHarness, type Harness } from './harness.ts';
import { timeoutFor } from '../../../src/config.ts';
import { testConfig } from '../../helpers/check-context.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ pods: { gateway: 2 } });
});
afterEach(() => h.close());

describe('services.ready', () => {
  it('passes when every pod answers its exact success body, Audit without `ok`', async () => {
    const r = await h.run(servicesReady);
    expect(r.status).toBe('pass');
    expect(r.metrics).toMatchObject({ 'pods.checked': 6, 'pods.ready': 6, 'ready.gateway': '2/2' });
    expect(r.evidence.find((l) => l.startsWith('Audit'))).toContain('{"ready":true}');
    expect(
      r.evidence.filter((l) => l.startsWith('STS') || l.startsWith('Gateway')).every((l) => l.includes('{"ok":true,"ready":true}')),
    ).toBe(true);
    expect(r.matrix).toEqual([]);
  });

  it('sends only GETs to /ready, without credentials', async () => {
    await h.run(servicesReady);
    expect(h.fake.requests).toHaveLength(6);
    expect(h.fake.requests.every((q) => q.method === 'GET' && q.path === '/ready' && q.authorization === undefined)).toBe(true);
  });

  it.each([
    ['audit', { ok: true, ready: true }],
    ['audit', { ready: true, ok: true, extra: 1 }],
    ['sts', { ok: true }],
    ['api', { ok: true, ready: true }],
    ['coordinator', { ok: 'true' }],
  ] as const)('fails closed on a 200 from %s whose body is %j', async (service, body) => {
    h.fake.state[service][0].transform = () => body;
    const r = await h.run(servicesReady);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('unexpected body');
    expect(r.remedy).toContain(`caracal.services.${service}`);
  });

  const stsCases: [StsReason, MatrixRow[]][] = [
    ['postgres_unreachable', ['sts', 'postgres']],
    ['redis_unavailable', ['sts', 'redis']],
    ['redis_unreachable', ['sts', 'redis']],
    ['audit_evidence_lost', ['sts', 'auditLoss']],
    ['audit_replay_unavailable', ['sts']],
    ['stream_consumers_not_ready', ['sts', 'redis']],
  ];
  it.each(stsCases)('STS 503 reason %s fails with its matrix rows', async (reason, rows) => {
    h.fake.state.sts[0].readyReason = reason;
    const r = await h.run(servicesReady);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain(`not ready (HTTP 503) reason=${reason}`);
    expect(r.matrix.sort()).toEqual([...rows].sort());
    expect(r.remedy).toMatch(/^STS http:\/\/127\.0\.0\.1:\d+: /);
  });

  const gatewayCases: [GatewayReason, MatrixRow[], RegExp][] = [
    ['redis_unreachable', ['gateway', 'redis'], /Restore Redis/],
    ['revocation_snapshot_stale', ['gateway', 'postgres'], /Postgres is the cause.*503.*POST \/internal\/revocations\/reload/],
    ['audit_evidence_lost', ['gateway', 'auditLoss'], /latch.*Preserve its replay volume/],
    ['audit_replay_unavailable', ['gateway'], /clear on its own/],
    ['sts_unavailable', ['gateway', 'sts'], /STS_URL/],
    ['sts_unreachable', ['gateway', 'sts'], /restore STS/],
  ];
  it.each(gatewayCases)('Gateway 503 reason %s fails on that pod only, with a concrete remedy', async (reason, rows, remedy) => {
    h.fake.state.gateway[1].readyReason = reason;
    const r = await h.run(servicesReady);
    expect(r.status).toBe('fail');
    expect(r.metrics['ready.gateway']).toBe('1/2');
    expect(r.summary).toContain(`${h.fake.urls.gateway[1]}: not ready (HTTP 503) reason=${reason}`);
    expect(r.summary).not.toContain(h.fake.urls.gateway[0]);
    expect(r.matrix.sort()).toEqual([...rows].sort());
    expect(r.remedy).toMatch(remedy);
  });

  const auditCases: [AuditReason, RegExp][] = [
    ['consumer_unhealthy', /skipping every event written meanwhile/],
    ['postgres_unreachable', /Restore Postgres/],
    ['redis_unreachable', /Restore Redis/],
    ['audit_dlq_threshold', /audit\.dlq/],
    ['audit_lag_threshold', /AUDIT_READY_LAG_MAX/],
    ['audit_pel_oldest_threshold', /AUDIT_READY_PEL_OLDEST_SECS_MAX/],
  ];
  it.each(auditCases)('Audit 503 reason %s fails with the audit row', async (reason, remedy) => {
    h.fake.state.audit[0].readyReason = reason;
    const r = await h.run(servicesReady);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain(`reason=${reason}`);
    expect(r.matrix).toContain('audit');
    expect(r.remedy).toMatch(remedy);
  });

  const apiCases: [ApiNotReady, number, string, MatrixRow[], RegExp][] = [
    ['draining', 503, 'draining', ['api'], /shutting down/],
    ['postgres_unreachable', 503, 'error=postgres_unreachable dependency=postgres', ['api', 'postgres'], /Restore Postgres/],
    ['redis_unreachable', 503, 'error=redis_unreachable dependency=redis', ['api', 'redis'], /Restore Redis/],
    ['outbox_unreachable', 503, 'error=outbox_unreachable dependency=postgres', ['api', 'postgres'], /outbox health query/],
    [{ deadCount: 3, limit: 0 }, 503, 'error=outbox_dead_messages deadCount=3 limit=0', ['api'], /no requeue endpoint.*break-glass SQL/],
    ['internal_error', 500, 'error=internal_error (Internal Server Error)', ['api', 'redis'], /Redis is down/],
  ];
  it.each(apiCases)('API not ready (%j) shows HTTP %i and `%s`', async (state, status, shown, rows, remedy) => {
    h.fake.state.api[0].notReady = state;
    const r = await h.run(servicesReady);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain(`not ready (HTTP ${status}) ${shown}`);
    // The finding's kind is the body's own key: what the remediation placement keys on.
    expect(r.findings).toEqual([typeof state === 'string' ? state : 'outbox_dead_messages']);
    expect(r.matrix.sort()).toEqual([...rows].sort());
    expect(r.remedy).toMatch(remedy);
  });

  const coordinatorCases: [CoordinatorNotReady, number, string, MatrixRow[], RegExp][] = [
    ['draining', 503, 'draining', ['coordinator'], /shutting down/],
    ['postgres_unreachable', 503, 'error=postgres_unreachable dependency=postgres', ['coordinator', 'postgres'], /Restore Postgres/],
    [
      'outbox_dead',
      503,
      'error=outbox_dead dependency=outbox',
      ['coordinator'],
      /requeue each with POST \/zones\/\{zoneId\}\/outbox\/\{id\}\/requeue/,
    ],
    ['redis_unreachable', 503, 'error=redis_unreachable dependency=redis', ['coordinator', 'redis'], /Restore Redis/],
    ['internal_error', 500, 'error=internal_error', ['coordinator', 'redis'], /rate-limit hook/],
  ];
  it.each(coordinatorCases)('Coordinator not ready (%s) shows HTTP %i and `%s`', async (state, status, shown, rows, remedy) => {
    h.fake.state.coordinator[0].notReady = state;
    const r = await h.run(servicesReady);
    expect(r.status).toBe('fail');
    expect(r.findings).toEqual([state]);
    expect(r.summary).toContain(`not ready (HTTP ${status}) ${shown}`);
    expect(r.matrix.sort()).toEqual([...rows].sort());
    expect(r.remedy).toMatch(remedy);
  });

  it('reports 429 rate_limited as "could not check": a failure that implicates no service', async () => {
    h.fake.state.api[0].fault = 'rate_limited';
    const r = await h.run(servicesReady);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('not ready (HTTP 429) error=rate_limited');
    expect(r.remedy).toContain('Could not check');
    expect(r.matrix).toEqual([]);
  });

  it('fails an unknown reason with generic advice (and never reaches Object.prototype)', async () => {
    h.fake.state.sts[0].readyReason = 'postgres_unreachable';
    h.fake.state.sts[0].transform = () => ({ ok: false, ready: false, reason: 'constructor' });
    const r = await h.run(servicesReady);
    expect(r.status).toBe('fail');
    expect(r.error).toBeUndefined();
    expect(r.summary).toContain('not ready (HTTP 503) reason=constructor');
    expect(r.remedy).toContain('Unrecognised readiness answer');
    expect(r.matrix).toEqual(['sts']);
  });

  it('fails a non-JSON 500, showing the text that came back', async () => {
    h.fake.state.gateway[0].fault = 'http500';
    const r = await h.run(servicesReady);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain(`Gateway ${h.fake.urls.gateway[0]}: not ready (HTTP 500) Internal Server Error`);
    expect(r.matrix).toEqual(['gateway']);
  });

  it('treats any 429 as "could not check", even with a body that does not say rate_limited', async () => {
    h.fake.state.coordinator[0].fault = 'rate_limited';
    h.fake.state.coordinator[0].transform = () => ({ message: 'Too Many Requests' });
    const r = await h.run(servicesReady);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('not ready (HTTP 429)');
    expect(r.remedy).toContain('Could not check');
  });

  it('shows a Redis outage across the deployment: Go reasons, Audit consumer, API/Coordinator 500 internal_error', async () => {
    // Real API and Coordinator answer only after their Redis clients give up (0.5-21 s); short here.
    h.fake.state.redisErrorDelayMs = { api: 20, coordinator: 20 };
    h.fake.state.deployment.redisDown = true;
    const r = await h.run(servicesReady);
    expect(r.status).toBe('fail');
    expect(r.metrics['pods.ready']).toBe(0);
    expect(r.evidence.filter((l) => l.includes('reason=redis_unreachable'))).toHaveLength(3);
    expect(r.evidence.filter((l) => l.includes('(HTTP 500) error=internal_error'))).toHaveLength(2);
    expect(r.evidence.some((l) => l.includes('reason=consumer_unhealthy'))).toBe(true);
    expect(r.matrix).toContain('redis');
  });

  it('reads an API or Coordinator that does not answer in time during a Redis outage as a likely Redis outage', async () => {
    await h.close();
    h = await startHarness({ httpTimeoutMs: 200, readyAnswerTimeoutMs: 300, redisErrorDelayMs: { api: 5_000, coordinator: 5_000 } });
    h.fake.state.deployment.redisDown = true;
    const r = await h.run(servicesReady);
    const api = r.evidence.find((l) => l.startsWith('API'));
    expect(api).toContain('no answer');
    expect(r.remedy).toMatch(/API .*up to 21 s.*Redis/);
    expect(r.matrix).toEqual(expect.arrayContaining(['api', 'coordinator', 'redis']));
  });

  it('waits for API and Coordinator /ready longer than for other calls, so a Redis outage shows as their 500, not as no answer (§15.1.1)', async () => {
    await h.close();
    // Every other call gives up after 200 ms; API and Coordinator answer /ready only after 600 ms, as their Redis
    // clients retry (compressed from 0.5-21 s).
    h = await startHarness({ httpTimeoutMs: 200, readyAnswerTimeoutMs: 3000, redisErrorDelayMs: { api: 600, coordinator: 600 } });
    h.fake.state.deployment.redisDown = true;
    const r = await h.run(servicesReady);
    expect(r.evidence.filter((l) => l.includes('(HTTP 500) error=internal_error')).map((l) => l.split(' ')[0])).toEqual([
      'API',
      'Coordinator',
    ]);
    expect(r.evidence.some((l) => l.includes('no answer'))).toBe(false);
    expect(r.findings).toContain('internal_error');
    expect(r.remedy).toMatch(/Redis is down/);
  });

  it('gives services.ready, by default, the time API and Coordinator need to answer during a Redis outage', () => {
    const config = testConfig();
    expect(config.checks.readyAnswerTimeoutMs).toBeGreaterThan(21_000);
    expect(timeoutFor(config, 'services.ready')).toBeGreaterThan(config.checks.readyAnswerTimeoutMs);
    expect(timeoutFor(config, 'sts.jwks')).toBe(config.checks.defaultTimeoutMs);
    expect(timeoutFor(testConfig({ checks: { timeouts: { 'services.ready': 7000 } } }), 'services.ready')).toBe(7000);
  });

  it('fails a service with no configured URL, naming its config key, and still checks the others', async () => {
    await h.close();
    h = await startHarness({ caracal: { services: { sts: [], api: [] } } });
    const r = await h.run(servicesReady);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('2 services not configured');
    expect(r.evidence).toContain('STS: not configured: cannot be checked (caracal.services.sts is empty)');
    expect(r.evidence).toContain('API: not configured: cannot be checked (caracal.services.api is empty)');
    expect(r.metrics).toMatchObject({ 'pods.checked': 3, 'pods.ready': 3, 'ready.sts': '0/0' });
  });
});
