// A small stand-in for the Kubernetes API server's EndpointSlice list (discovery.k8s.io/v1), for the sandbox and
// tests: GET /apis/discovery.k8s.io/v1/namespaces/<ns>/endpointslices?labelSelector=kubernetes.io/service-name=<svc>
// answers an EndpointSliceList as the API server would. The sandbox's pods share 127.0.0.1 and differ by port, so
// each pod gets its own slice (a slice has one port list for all its endpoints, as in Kubernetes).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubEndpoint {
  address: string;
  port: number;
  /** The pod's name: targetRef.name and hostname, as for a StatefulSet's pods. */
  pod: string;
  ready?: boolean;
  terminating?: boolean;
}

export interface EndpointSliceApi {
  url: string;
  /** Requests seen, for tests: path and query. */
  requests: string[];
  close(): Promise<void>;
}

const LIST = /^\/apis\/discovery\.k8s\.io\/v1\/namespaces\/([^/]+)\/endpointslices$/;

function slice(namespace: string, service: string, e: StubEndpoint, i: number): Record<string, unknown> {
  return {
    metadata: {
      name: `${service}-${i}`,
      namespace,
      labels: { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
    },
    addressType: 'IPv4',
    endpoints: [
      {
        addresses: [e.address],
        conditions: { ready: e.ready ?? true, serving: e.ready ?? true, terminating: e.terminating ?? false },
        hostname: e.pod,
        targetRef: { kind: 'Pod', namespace, name: e.pod },
      },
    ],
    ports: [{ name: 'http', port: e.port, protocol: 'TCP' }],
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** `endpoints(namespace, service)` is read per request, so a test (or a fault) may change the pods at any time. */
export async function startEndpointSliceApi(
  endpoints: (namespace: string, service: string) => StubEndpoint[] | undefined,
): Promise<EndpointSliceApi> {
  const requests: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://stub.invalid');
    requests.push(`${url.pathname}${url.search}`);
    const m = LIST.exec(url.pathname);
    if (req.method !== 'GET' || !m)
      return send(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
    const namespace = decodeURIComponent(m[1] ?? '');
    const selector = /^kubernetes\.io\/service-name=(.+)$/.exec(url.searchParams.get('labelSelector') ?? '');
    const found = selector ? (endpoints(namespace, selector[1] ?? '') ?? []) : [];
    return send(res, 200, {
      kind: 'EndpointSliceList',
      apiVersion: 'discovery.k8s.io/v1',
      metadata: { resourceVersion: '1' },
      items: selector ? found.map((e, i) => slice(namespace, selector[1] ?? '', e, i)) : [],
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
