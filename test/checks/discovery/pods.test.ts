// Pod discovery: DNS A/AAAA records of a headless Service, the Kubernetes EndpointSlice API through the official
// client (pointed at a local server that answers like the API server), and the configured URLs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpointSliceLister, loadKubeConfig } from '../../../src/checks/discovery/endpoint-slices.ts';
import { createPodDiscovery, type Resolver } from '../../../src/checks/discovery/pods.ts';
import { startEndpointSliceApi, type EndpointSliceApi, type StubEndpoint } from '../../../src/sandbox/caracal/endpoint-slices.ts';
import { testConfig } from '../../helpers/check-context.ts';

const signal = () => AbortSignal.timeout(5000);
const dnsError = (code: string) => Object.assign(new Error(`query failed: ${code}`), { code });

function resolver(v4: string[] | string, v6: string[] | string): Resolver {
  const answer = (a: string[] | string) => (typeof a === 'string' ? Promise.reject(dnsError(a)) : Promise.resolve(a));
  return { resolve4: () => answer(v4), resolve6: () => answer(v6) };
}

const dnsConfig = (service = 'gateway') =>
  testConfig({ caracal: { discovery: { [service]: { mode: 'dns', name: 'caracal-chatops-gateway-pods.caracal.svc', port: 8081 } } } })
    .caracal;

describe('DNS discovery (headless Service)', () => {
  it('turns every A and AAAA record into a pod URL on the configured port', async () => {
    const d = createPodDiscovery(dnsConfig(), { resolver: resolver(['10.0.0.7', '10.0.0.5'], ['fd00::9']) });
    const set = await d.pods('gateway', signal());
    expect(set.problem).toBeUndefined();
    expect(set.source).toBe('dns');
    expect(set.pods.map((p) => p.url)).toEqual(['http://10.0.0.5:8081', 'http://10.0.0.7:8081', 'http://[fd00::9]:8081']);
    expect(set.pods[0].label).toContain('Gateway');
  });

  it('a single-stack answer (no AAAA) is fine; no record at all is a problem, not zero pods', async () => {
    const one = await createPodDiscovery(dnsConfig(), { resolver: resolver(['10.0.0.5'], 'ENODATA') }).pods('gateway', signal());
    expect(one.pods.map((p) => p.url)).toEqual(['http://10.0.0.5:8081']);
    const none = await createPodDiscovery(dnsConfig(), { resolver: resolver('ENOTFOUND', 'ENODATA') }).pods('gateway', signal());
    expect(none.pods).toEqual([]);
    expect(none.problem).toMatch(/no A or AAAA record/);
    const broken = await createPodDiscovery(dnsConfig(), { resolver: resolver('ETIMEOUT', 'ESERVFAIL') }).pods('gateway', signal());
    expect(broken.problem).toMatch(/DNS lookup of caracal-chatops-gateway-pods\.caracal\.svc failed/);
  });

  it('services without discovery, and static mode, use the configured URLs', async () => {
    const caracal = testConfig({ caracal: { services: { api: ['http://api:3000'], gateway: ['http://gw:8081'] } } }).caracal;
    const d = createPodDiscovery(caracal, { resolver: resolver('ESERVFAIL', 'ESERVFAIL') });
    expect((await d.pods('api', signal())).pods.map((p) => p.url)).toEqual(['http://api:3000']);
    const gw = await d.pods('gateway', signal());
    expect([gw.source, gw.pods.map((p) => p.url)]).toEqual(['static', ['http://gw:8081']]);
  });
});

describe('EndpointSlice discovery (credentials by @kubernetes/client-node)', () => {
  const pods: Record<string, StubEndpoint[]> = {
    'caracal/caracal-caracal-gateway': [
      { address: '10.1.0.4', port: 8081, pod: 'caracal-caracal-gateway-1', ready: false },
      { address: '10.1.0.3', port: 8081, pod: 'caracal-caracal-gateway-0' },
      { address: '10.1.0.9', port: 8081, pod: 'caracal-caracal-gateway-2', terminating: true },
    ],
  };
  let api: EndpointSliceApi;
  beforeAll(async () => {
    api = await startEndpointSliceApi((ns, svc) => pods[`${ns}/${svc}`]);
  });
  afterAll(() => api.close());

  const sliceConfig = (service = 'caracal-caracal-gateway', namespace = 'caracal') =>
    testConfig({ caracal: { discovery: { gateway: { mode: 'endpointslice', service, namespace }, kubernetes: { server: api.url } } } })
      .caracal;

  it("lists the Service's slices by label, keeps pods that are not ready, drops terminating ones, names each pod", async () => {
    const caracal = sliceConfig();
    const lister = createEndpointSliceLister(caracal.discovery.kubernetes, { timeoutMs: 3000 });
    const set = await createPodDiscovery(caracal, { resolver: resolver([], []), endpointSlices: lister }).pods('gateway', signal());
    expect(set.problem).toBeUndefined();
    expect(set.pods.map((p) => [p.name, p.url])).toEqual([
      ['caracal-caracal-gateway-0', 'http://10.1.0.3:8081'],
      ['caracal-caracal-gateway-1', 'http://10.1.0.4:8081'],
    ]);
    expect(set.pods[1].label).toContain('pod caracal-caracal-gateway-1');
    expect(api.requests.at(-1)).toBe(
      '/apis/discovery.k8s.io/v1/namespaces/caracal/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dcaracal-caracal-gateway',
    );
  });

  it('a Service with no endpoints is a problem that names it', async () => {
    const caracal = sliceConfig('caracal-caracal-gatewey');
    const lister = createEndpointSliceLister(caracal.discovery.kubernetes, { timeoutMs: 3000 });
    const set = await createPodDiscovery(caracal, { resolver: resolver([], []), endpointSlices: lister }).pods('gateway', signal());
    expect(set.pods).toEqual([]);
    expect(set.problem).toMatch(/caracal\/caracal-caracal-gatewey has no endpoints/);
  });
});

describe('EndpointSlice API failures', () => {
  let server: Server;
  let url: string;
  let answer: 'forbidden' | 'hang' = 'forbidden';
  const authorization: (string | undefined)[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      authorization.push(req.headers.authorization);
      if (answer === 'hang') return;
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403 }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  const cfg = { mode: 'endpointslice' as const, service: 'caracal-caracal-gateway', namespace: 'caracal', scheme: 'http' as const };

  it('403 says the service account may not list endpointslices', async () => {
    answer = 'forbidden';
    const read = await createEndpointSliceLister({ server: url }, { timeoutMs: 3000 }).list(cfg, signal());
    expect(read.ok).toBe(false);
    expect(!read.ok && read.problem).toMatch(/answered 403: the service account may not list endpointslices/);
  });

  it("a kubeconfig's credentials go with the request", async () => {
    answer = 'forbidden';
    const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
    const file = join(dir, 'config');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{ name: c, cluster: { server: "' + url + '", insecure-skip-tls-verify: true } }]', // plain http: the client's own rule
        'users: [{ name: bot, user: { token: kube-token-3f9a } }]',
        'contexts: [{ name: x, context: { cluster: c, user: bot } }]',
        'current-context: x',
      ].join('\n'),
    );
    try {
      const read = await createEndpointSliceLister({ kubeconfig: file }, { timeoutMs: 3000 }).list(cfg, signal());
      expect(!read.ok && read.problem).toMatch(/answered 403/);
      expect(authorization.at(-1)).toBe('Bearer kube-token-3f9a');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an API server that never answers is a problem within the time bound', async () => {
    answer = 'hang';
    const read = await createEndpointSliceLister({ server: url }, { timeoutMs: 200 }).list(cfg, signal());
    expect(!read.ok && read.problem).toMatch(/no answer within 200 ms/);
  });

  it('outside a cluster with no kubeconfig or server, in-cluster credentials are a problem, not a crash', async () => {
    expect(await loadKubeConfig({}, {})).toMatch(/not running in a Kubernetes pod/);
  });
});
