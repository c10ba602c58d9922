// The runbook signals read since issue 13: the Gateway's STS exchange and HMAC counters, Coordinator /stats,
// the Control gate, and what audit.tamper adds (tamper_replay_total, Audit readiness).
import { afterEach, describe, expect, it } from 'vitest';
import { auditTamper } from '../../../src/checks/http/audit-tamper.ts';
import { controlGate } from '../../../src/checks/http/control-gate.ts';
import { coordinatorStats } from '../../../src/checks/http/coordinator-stats.ts';
import { gatewaySts } from '../../../src/checks/http/gateway-sts.ts';
import { startHarness, TOKENS_ENV, type Harness } from './harness.ts';

let h: Harness | undefined;
afterEach(() => h?.close());
const T0 = Date.parse('2026-11-30T04:00:00Z');

describe('gateway.sts', () => {
  it('passes with circuits closed and quiet counters', async () => {
    h = await startHarness({ pods: { gateway: 2 } });
    const r = await h.run(gatewaySts);
    expect(r.status).toBe('pass');
    expect(r.evidence.filter((l) => l.includes('circuit closed'))).toHaveLength(2);
  });

  it('fails on an open circuit, and on exchange errors and invalid signatures that grow; old counts only warn once', async () => {
    h = await startHarness();
    h.setNow(T0);
    const [gw] = h.fake.state.gateway;
    gw.stsExchangeErrors = 5;
    let r = await h.run(gatewaySts);
    expect(r.status).toBe('warn');
    expect(r.summary).toContain('sts_exchange_errors=5 (no earlier reading');
    gw.stsExchangeErrors = 9;
    gw.stsCircuitOpen = 1;
    gw.revocationInvalidSignatures = 0;
    r = await h.run(gatewaySts);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('STS circuit open');
    expect(r.summary).toContain('sts_exchange_errors=9, up from 5');
    expect(r.matrix).toEqual(expect.arrayContaining(['gateway', 'sts']));
    gw.stsCircuitOpen = 0;
    r = await h.run(gatewaySts);
    expect(r.status).toBe('pass');
    gw.revocationInvalidSignatures = 3;
    await h.run(gatewaySts);
    gw.revocationInvalidSignatures = 4;
    r = await h.run(gatewaySts);
    expect(r.status).toBe('fail');
    expect(r.remedy).toContain('STREAMS_HMAC_KEY differs');
  });

  it("fails when Audit's producer HMAC failures grow: AUDIT_HMAC_KEY differs", async () => {
    h = await startHarness();
    await h.run(gatewaySts);
    h.fake.state.audit[0].hmacFailures = 2;
    const r = await h.run(gatewaySts);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('hmac_failures_total=2, up from 0');
    expect(r.remedy).toContain('AUDIT_HMAC_KEY differs');
  });
});

describe('coordinator.stats', () => {
  it('reads /stats with the operator token and shows each job with when it was last seen running', async () => {
    h = await startHarness();
    h.setNow(T0);
    const r = await h.run(coordinatorStats);
    expect(r.status).toBe('pass');
    expect(r.evidence.join('\n')).toMatch(/token TTL sweeper runs 40, last seen running by 2026-11-30T04:00:00.000Z, failures=0/);
    expect(r.evidence.join('\n')).toContain('service lease sweeper');
    expect(r.evidence.join('\n')).toContain('retention cleaner');
  });

  it('fails when a job keeps failing, and warns when one has not run for two intervals', async () => {
    h = await startHarness();
    h.setNow(T0);
    await h.run(coordinatorStats);
    const jobs = h.fake.state.coordinatorJobs;
    jobs.ttl_sweeper.runs += 1;
    jobs.ttl_sweeper.failures += 1;
    jobs.service_lease_sweeper.runs += 1;
    h.setNow(T0 + 60_000);
    let r = await h.run(coordinatorStats);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('token TTL sweeper runs 41');
    expect(r.remedy).toContain('restore Postgres');
    // Nothing moves for 2 intervals plus slack: the lease sweeper (30 s) has stalled, the cleaner (15 min) not yet.
    h.setNow(T0 + 60_000 + 95_000);
    r = await h.run(coordinatorStats);
    expect(r.status).toBe('warn');
    expect(r.summary).toMatch(/service lease sweeper .*no run for 95 s/);
    expect(r.summary).not.toContain('retention cleaner runs 3, last seen running by 2026-11-30T04:00:00.000Z, failures=0: no run');
  });

  it('says what is missing without the operator token, and reads 403 as a non-operator token', async () => {
    h = await startHarness({ env: { ...TOKENS_ENV, CARACAL_COORDINATOR_TOKEN: '' } });
    let r = await h.run(coordinatorStats);
    expect(r.summary).toContain('CARACAL_COORDINATOR_TOKEN is not set');
    await h.close();
    h = await startHarness({ env: { ...TOKENS_ENV, CARACAL_COORDINATOR_TOKEN: TOKENS_ENV.CARACAL_METRICS_BEARER } });
    r = await h.run(coordinatorStats);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('HTTP 403');
  });
});

describe('control.gate', () => {
  it.each([
    ['absent', 'pass', 'not enabled in this API'],
    ['open', 'pass', 'gate is open'],
    ['closed', 'warn', 'gate is closed (503 control_disabled)'],
  ] as const)('Control %s → %s', async (control, status, text) => {
    h = await startHarness();
    h.fake.state.control = control;
    const r = await h.run(controlGate);
    expect(r.status).toBe(status);
    expect(r.summary).toContain(text);
    expect(h.fake.requests.find((q) => q.path === '/v1/control/invoke')?.authorization).toBeUndefined();
  });

  it('fails when the API cannot serve Control (Redis down behind its rate limit)', async () => {
    h = await startHarness({ redisErrorDelayMs: { api: 10 } });
    h.fake.state.control = 'open';
    h.fake.state.deployment.redisDown = true;
    const r = await h.run(controlGate);
    expect(r.status).toBe('fail');
    expect(r.matrix).toEqual(['control', 'redis']);
  });
});

describe('audit.tamper additions', () => {
  it('is not green while Audit is not ready: its sweep needs Postgres', async () => {
    h = await startHarness();
    h.fake.state.deployment.postgresDown = true;
    const r = await h.run(auditTamper);
    expect(r.status).toBe('warn');
    expect(r.summary).toContain('Audit not ready (HTTP 503');
    expect(r.summary).toContain('may not be running');
  });

  it('fails when tamper_replay_total grows, pointing at audit_ingest_alerts', async () => {
    h = await startHarness();
    await h.run(auditTamper);
    h.fake.state.audit[0].tamperReplay = 1;
    const r = await h.run(auditTamper);
    expect(r.status).toBe('fail');
    expect(r.summary).toMatch(/tamper_replay_total=1 \(.*\), up from 0/);
    expect(r.remedy).toContain('audit.ingest_alerts');
  });
});
