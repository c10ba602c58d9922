// services.live: /health apart from /ready, so "process up, not ready" and "process down" read differently.
import { afterEach, describe, expect, it } from 'vitest';
import { servicesLive } from '../../../src/checks/http/liveness.ts';
import { servicesReady } from '../../../src/checks/http/services-ready.ts';
import { startHarness, type Harness } from './harness.ts';

describe('services.live', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('passes when every pod answers /health, and covers every pod', async () => {
    h = await startHarness({ pods: { gateway: 2 } });
    const r = await h.run(servicesLive);
    expect(r.status).toBe('pass');
    expect(r.metrics).toMatchObject({ 'live.gateway': '2/2', 'pods.live': 6 });
    expect(h.fake.requests.filter((q) => q.path === '/health')).toHaveLength(6);
  });

  it('a draining API is up but not ready: readiness fails, liveness passes', async () => {
    h = await startHarness();
    h.fake.state.api[0].notReady = 'draining';
    const [ready, live] = await Promise.all([h.run(servicesReady), h.run(servicesLive)]);
    expect(ready.status).toBe('fail');
    expect(live.status).toBe('pass');
  });

  it('a pod that does not answer is "process down", and names its runbook row', async () => {
    h = await startHarness({ httpTimeoutMs: 300 });
    h.fake.state.coordinator[0].fault = 'hang';
    const r = await h.run(servicesLive);
    expect(r.status).toBe('fail');
    expect(r.summary).toMatch(/1 of 5 pods not live: Coordinator http:\/\/127\.0\.0\.1:\d+: process down or unreachable/);
    expect(r.matrix).toEqual(['coordinator']);
  });

  it("Audit's /health 503 during a Redis outage reads as an unhealthy consumer, not a dead process", async () => {
    h = await startHarness();
    h.fake.state.deployment.redisDown = true;
    const r = await h.run(servicesLive);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('process up, stream consumer unhealthy');
    expect(r.summary).not.toContain('process down');
    expect(r.matrix).toEqual(['audit']);
  });

  it('an unconfigured service fails: unchecked is not live', async () => {
    h = await startHarness({ caracal: { services: { audit: [] } } });
    const r = await h.run(servicesLive);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('Audit: not configured');
  });
});
