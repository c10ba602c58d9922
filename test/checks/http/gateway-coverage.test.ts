// Every running Gateway pod must be checked: Redis counts them (one live gateway-revocation:<host> group each on
// caracal.sessions.revoke, caracal-ops.md §15.2.1); a Service URL that reaches one pod leaves the others unchecked.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gatewayRevocation } from '../../../src/checks/http/gateway-revocation.ts';
import { servicesReady } from '../../../src/checks/http/services-ready.ts';
import { startEndpointSliceApi, type EndpointSliceApi } from '../../../src/sandbox/caracal/endpoint-slices.ts';
import { leaseRedisDb, type LeasedRedis } from '../../helpers/redis.ts';
import { allText, startHarness, type Harness } from './harness.ts';

const REVOKE = 'caracal.sessions.revoke';

async function liveGroup(redis: LeasedRedis, host: string): Promise<void> {
  const group = `gateway-revocation:${host}`;
  await redis.client.xgroup('CREATE', REVOKE, group, '0', 'MKSTREAM');
  // A consumer that read and acknowledged a revocation: what a running Gateway pod leaves in XINFO CONSUMERS.
  const id = await redis.client.xadd(REVOKE, '*', 'zone_id', 'z1', 'session_id', `s-${host}`);
  await redis.client.xreadgroup('GROUP', group, `gateway-${host}-1`, 'COUNT', 10, 'STREAMS', REVOKE, '>');
  await redis.client.xack(REVOKE, group, id ?? '0-0');
}

describe('Gateway pods counted against the live revocation groups', () => {
  let redis: LeasedRedis;
  let api: EndpointSliceApi;
  let h: Harness | undefined;
  const hosts = ['gateway-0', 'gateway-1'];
  let podUrls: string[] = [];
  beforeAll(async () => {
    redis = await leaseRedisDb();
    for (const host of hosts) await liveGroup(redis, host);
    // A group whose pod is gone: created, never read. It does not count.
    await redis.client.xgroup('CREATE', REVOKE, 'gateway-revocation:gateway-old', '$');
    for (const host of hosts)
      await redis.client.xreadgroup('GROUP', `gateway-revocation:${host}`, `gateway-${host}-1`, 'COUNT', 10, 'STREAMS', REVOKE, '>');
    api = await startEndpointSliceApi((ns, svc) =>
      ns === 'caracal' && svc === 'caracal-caracal-gateway'
        ? podUrls.map((u, i) => ({ address: '127.0.0.1', port: Number(new URL(u).port), pod: hosts[i] ?? `gateway-${i}` }))
        : undefined,
    );
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  afterAll(async () => {
    await api.close();
    await redis.release();
  });

  async function harness(caracal: Record<string, unknown>, gatewayPods = 2) {
    h = await startHarness({
      pods: { gateway: gatewayPods },
      caracal: { redis: { url: redis.url, requireAppendonly: false }, ...caracal },
    });
    podUrls = h.fake.urls.gateway;
    return h;
  }

  it('one Service URL reaching one pod of two: gateway.revocation and services.ready fail with "1 pods not checked"', async () => {
    // The configured URL answers for one pod (as a Service URL does per request) while Redis counts two.
    const one = await harness({}, 1);
    const revocation = await one.run(gatewayRevocation);
    expect(revocation.status).toBe('fail');
    expect(revocation.summary).toContain('1 pods not checked');
    expect(allText(revocation)).toContain('2 live gateway-revocation:<host> group(s) on caracal.sessions.revoke');
    expect(revocation.remedy).toMatch(/caracal\.discovery\.gateway/);
    const ready = await one.run(servicesReady);
    expect(ready.status).toBe('fail');
    expect(ready.summary).toContain('1 pods not checked');
  });

  it('with EndpointSlice discovery every pod is checked, by name, and both checks pass', async () => {
    const both = await harness({
      services: { gateway: ['http://127.0.0.1:1'] }, // the Service URL is no longer what is checked
      discovery: {
        gateway: { mode: 'endpointslice', service: 'caracal-caracal-gateway', namespace: 'caracal' },
        kubernetes: { server: api.url },
      },
    });
    const revocation = await both.run(gatewayRevocation);
    expect([revocation.status, revocation.summary]).toEqual([
      'pass',
      expect.stringContaining('every running Gateway was checked') as string,
    ]);
    expect(allText(revocation)).toContain('2 pod(s) from EndpointSlices of caracal/caracal-caracal-gateway: gateway-0, gateway-1');
    expect(revocation.metrics['pods.checked']).toBe(2);
    const ready = await both.run(servicesReady);
    expect(ready.status).toBe('pass');
  });

  it('a stale pod found by discovery fails the check with the pod named', async () => {
    const both = await harness({
      discovery: {
        gateway: { mode: 'endpointslice', service: 'caracal-caracal-gateway', namespace: 'caracal' },
        kubernetes: { server: api.url },
      },
    });
    both.fake.state.gateway[1].snapshotAgeSeconds = 500;
    const revocation = await both.run(gatewayRevocation);
    expect(revocation.status).toBe('fail');
    expect(revocation.summary).toMatch(/\(pod gateway-1\): revocation snapshot stale/);
    expect(revocation.summary).not.toMatch(/pod gateway-0\): revocation snapshot stale/);
  });

  it('discovery that finds nothing fails: zero pods checked is never a pass', async () => {
    const none = await harness({
      discovery: { gateway: { mode: 'endpointslice', service: 'no-such-service', namespace: 'caracal' }, kubernetes: { server: api.url } },
    });
    const revocation = await none.run(gatewayRevocation);
    expect(revocation.status).toBe('fail');
    expect(revocation.summary).toMatch(/pods could not be discovered .*caracal\/no-such-service has no endpoints/);
  });
});
