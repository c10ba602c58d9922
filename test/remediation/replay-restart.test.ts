// The replay-restart break-glass names the pods behind the configured Service URLs (issue 12): the sandbox's STS and
// Gateway pods sit behind one Service address each and are found through the EndpointSlice API, as the Gateway
// reload finds them. When discovery is off or fails, the configured URLs are listed instead, and the text says so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodDiscovery } from '../../src/checks/discovery/pods.ts';
import { replayRestartBreakGlass } from '../../src/remediation/break-glass.ts';
import { startEndpointSliceApi, type EndpointSliceApi } from '../../src/sandbox/caracal/endpoint-slices.ts';
import { startServiceProxy, type ServiceProxy } from '../../src/sandbox/caracal/service-proxy.ts';
import { startFakeCaracal, type FakeCaracal } from '../../src/sandbox/fake-caracal.ts';
import { buildContext } from '../helpers/check-context.ts';

const signal = () => AbortSignal.timeout(5000);
const NAMESPACE = 'caracal';
const SERVICE = { sts: 'caracal-caracal-sts', gateway: 'caracal-caracal-gateway' } as const;

describe('replay restart: the pods behind a Service URL (sandbox pods, EndpointSlice API)', () => {
  let fake: FakeCaracal;
  let services: Record<'sts' | 'gateway', ServiceProxy>;
  let slices: EndpointSliceApi;
  beforeAll(async () => {
    fake = await startFakeCaracal({ pods: { sts: 2, gateway: 2 } });
    services = { sts: await startServiceProxy(fake.urls.sts), gateway: await startServiceProxy(fake.urls.gateway) };
    slices = await startEndpointSliceApi((ns, svc) => {
      const service = (Object.keys(SERVICE) as ('sts' | 'gateway')[]).find((s) => SERVICE[s] === svc);
      if (ns !== NAMESPACE || !service) return undefined;
      return fake.urls[service].map((u, i) => ({ address: '127.0.0.1', port: Number(new URL(u).port), pod: `${svc}-${i}` }));
    });
  });
  afterAll(async () => {
    await Promise.all([services.sts.close(), services.gateway.close(), slices.close()]);
    await fake.close();
  });

  const run = async (namespace = NAMESPACE) => {
    const { ctx, close } = buildContext({
      caracal: {
        services: { sts: [services.sts.url], gateway: [services.gateway.url] },
        discovery: {
          sts: { mode: 'endpointslice', service: SERVICE.sts, namespace },
          gateway: { mode: 'endpointslice', service: SERVICE.gateway, namespace },
          kubernetes: { server: slices.url },
        },
      },
    });
    try {
      return await replayRestartBreakGlass.run(ctx, signal());
    } finally {
      await close();
    }
  };

  it('lists every STS and Gateway pod by name and own address, not the Service URL', async () => {
    const out = await run();
    const candidates = out.lines.filter((l) => l.startsWith('candidate'));
    expect(candidates).toHaveLength(4);
    for (const service of ['sts', 'gateway'] as const) {
      fake.urls[service].forEach((u, i) =>
        expect(candidates.some((c) => c.includes(u) && c.includes(`pod ${SERVICE[service]}-${i}`))).toBe(true),
      );
      expect(candidates.join('\n')).not.toContain(services[service].url);
    }
    expect(out.lines).toContain(`STS: 2 pod(s) discovered from EndpointSlices of caracal/${SERVICE.sts}:`);
    expect(out.summary).toContain('2 STS and 2 Gateway candidate(s), discovered behind the configured URLs');
    expect(out.ok).toBe(true);
  });

  it('discovery failing (no such Service there) falls back to the configured URL and says why', async () => {
    const out = await run('elsewhere');
    const text = out.lines.join('\n');
    expect(text).toMatch(
      /Gateway: pod discovery failed \(EndpointSlices of elsewhere\/caracal-caracal-gateway: .*no endpoints.*\), so these are the configured URLs, not pods/,
    );
    expect(out.lines).toContain(`candidate (configured URL): Gateway ${services.gateway.url}`);
    expect(out.lines).toContain(`candidate (configured URL): STS ${services.sts.url}`);
    expect(out.summary).toContain('some are configured URLs, not discovered pods');
  });
});

describe('replay restart: discovery off or broken (fake discovery)', () => {
  it('static discovery: the configured URLs, marked as such', async () => {
    const { ctx, close } = buildContext({ caracal: { services: { sts: ['http://sts:8080'], gateway: ['http://gw:8081'] } } });
    const out = await replayRestartBreakGlass.run(ctx, signal());
    await close();
    expect(out.lines).toContain(
      'Gateway: caracal.discovery.gateway is static (discovery off), so these are the configured URLs, not pods: a Service URL hides every pod behind it; list them with kubectl -n <namespace> get pods.',
    );
    expect(out.lines).toContain('candidate (configured URL): Gateway http://gw:8081');
    expect(out.lines).toContain('candidate (configured URL): STS http://sts:8080');
  });

  it('a discovery problem for one service, pods for the other; nothing configured is said plainly', async () => {
    const { ctx, close } = buildContext({ caracal: { services: { gateway: ['http://gw:8081'] } } });
    const discovery: PodDiscovery = {
      pods: (service) =>
        Promise.resolve(
          service === 'gateway'
            ? { service, source: 'endpointslice', from: 'EndpointSlices of caracal/gw', pods: [], problem: 'Kubernetes API answered 403' }
            : { service, source: 'dns', from: 'DNS sts-pods', pods: [{ url: 'http://10.0.0.5:8080', label: 'STS http://10.0.0.5:8080' }] },
        ),
    };
    const out = await replayRestartBreakGlass.run({ ...ctx, discovery }, signal());
    await close();
    expect(out.lines).toContain('STS: 1 pod(s) discovered from DNS sts-pods:');
    expect(out.lines).toContain('candidate: STS http://10.0.0.5:8080');
    expect(out.lines.join('\n')).toContain(
      'Gateway: pod discovery failed (EndpointSlices of caracal/gw: Kubernetes API answered 403), so these are the configured URLs',
    );
    expect(out.lines).toContain('candidate (configured URL): Gateway http://gw:8081');

    const none = buildContext({});
    const empty = await replayRestartBreakGlass.run(none.ctx, signal());
    await none.close();
    expect(empty.lines).toContain(
      'STS: caracal.discovery.sts is static (discovery off), and caracal.services.sts is empty: no candidate to list.',
    );
  });
});
