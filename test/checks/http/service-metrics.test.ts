// sts.evaluation (opa.eval_errors as a warning) and backlog.metrics (Audit consumer lag, Coordinator pending rows).
import { afterEach, describe, expect, it } from 'vitest';
import { backlogMetrics } from '../../../src/checks/http/backlog-metrics.ts';
import { stsEvaluation } from '../../../src/checks/http/sts-evaluation.ts';
import { FAKE_COORDINATOR_TOKEN, type FakeCaracal } from '../../../src/sandbox/fake-caracal.ts';
import { allText, startHarness, TOKENS_ENV, type Harness } from './harness.ts';

const ENV = { ...TOKENS_ENV, CARACAL_COORDINATOR_TOKEN: FAKE_COORDINATOR_TOKEN };

function pendingRows(fake: FakeCaracal, n: number): void {
  for (let i = 0; i < n; i++) fake.stores.coordinatorOutbox.push({ id: `row-${i}`, zoneId: 'zone-1', status: 'pending' });
}

function setEvalErrors(h: Harness, n: number): void {
  h.fake.state.sts[0].transform = (path, body) =>
    path === '/metrics.json' ? { ...(body as object), opa: { ...(body as { opa: object }).opa, eval_errors: n } } : body;
}

describe('sts.evaluation', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('passes at zero, warns when errors appear, and stops warning once none are new', async () => {
    h = await startHarness();
    expect((await h.run(stsEvaluation)).status).toBe('pass');
    setEvalErrors(h, 3);
    const rose = await h.run(stsEvaluation);
    expect(rose.status).toBe('warn');
    expect(rose.summary).toMatch(/opa\.eval_errors=3 of 40 evaluations, up from 0 since/);
    expect(rose.remedy).toContain('roll back');
    const same = await h.run(stsEvaluation);
    expect(same.status).toBe('pass');
    expect(same.evidence[0]).toContain('none new since');
  });

  it('warns on a first reading above zero: it cannot tell old errors from new', async () => {
    h = await startHarness();
    setEvalErrors(h, 2);
    const r = await h.run(stsEvaluation);
    expect(r.status).toBe('warn');
    expect(r.summary).toContain('no earlier reading');
  });

  it('an unreadable /metrics.json fails: unknown is not "no errors"', async () => {
    h = await startHarness({ env: { CARACAL_ADMIN_TOKEN: 'x-admin-token' } });
    const r = await h.run(stsEvaluation);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('CARACAL_METRICS_BEARER');
  });
});

describe('backlog.metrics', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('passes within the thresholds, reading /stats with the operator token', async () => {
    h = await startHarness({ env: ENV });
    const r = await h.run(backlogMetrics);
    expect(r.status).toBe('pass');
    expect(r.evidence.join('\n')).toContain('outbox pending=0, dead=0');
    expect(h.fake.requests.find((q) => q.path === '/stats')?.authorization).toBe(`Bearer ${FAKE_COORDINATOR_TOKEN}`);
  });

  it('warns on Audit consumer lag above 1000 and Coordinator pending rows above 500', async () => {
    h = await startHarness({ env: ENV, pods: { audit: 2 } });
    h.fake.state.audit[1].consumerLag = 1500;
    pendingRows(h.fake, 501);
    const r = await h.run(backlogMetrics);
    expect(r.status).toBe('warn');
    expect(r.summary).toMatch(/consumer_lag=1500.*above 1000, CaracalAuditConsumerLagHigh/);
    expect(r.summary).toContain('pending=501');
    expect(r.summary).toContain('pending above 500');
    expect(r.matrix.sort()).toEqual(['audit', 'coordinator']);
  });

  it('follows configured thresholds', async () => {
    h = await startHarness({ env: ENV, thresholds: { auditConsumerLagMax: 5000, coordinatorPendingMax: 2000 } });
    h.fake.state.audit[0].consumerLag = 1500;
    pendingRows(h.fake, 1999);
    expect((await h.run(backlogMetrics)).status).toBe('pass');
  });

  it('a wrong operator token fails with the hint (never the token); none set is a warning', async () => {
    h = await startHarness({ env: { ...ENV, CARACAL_COORDINATOR_TOKEN: 'not-the-operator-token-77' } });
    const wrong = await h.run(backlogMetrics);
    expect(wrong.status).toBe('fail');
    expect(wrong.summary).toContain('HTTP 401: Coordinator operator token missing or rejected');
    expect(allText(wrong)).not.toContain('not-the-operator-token-77');
    await h.close();
    const { CARACAL_COORDINATOR_TOKEN: _unset, ...withoutOperator } = ENV;
    h = await startHarness({ env: withoutOperator });
    const unset = await h.run(backlogMetrics);
    expect(unset.status).toBe('warn');
    expect(unset.summary).toContain('CARACAL_COORDINATOR_TOKEN is not set');
  });
});
