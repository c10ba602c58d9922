// The pods behind a Kubernetes Service, from its EndpointSlices (discovery.k8s.io/v1). Every endpoint counts, ready
// or not: a pod that is not ready is exactly one the bot must look at. Only endpoints that are terminating are left
// out (they are on their way out and their replacement is listed).
// Credentials are the official client's (KubeConfig: in-cluster, kubeconfig, exec plugins, certificates), loaded only
// when a lister first lists; the list itself is one GET answered by an EndpointSliceList, sent with the request
// options KubeConfig gives, instead of the generated DiscoveryV1Api, whose 14.5 MB took 120 ms to load (issue 11).
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig, V1EndpointSlice, V1EndpointSliceList } from '@kubernetes/client-node';
import type { PodDiscoveryConfig } from '../../config.ts';

type SliceConfig = Extract<PodDiscoveryConfig, { mode: 'endpointslice' }>;

export interface SliceEndpoint {
  address: string;
  port: number;
  /** The pod's name (targetRef) or hostname, when the slice names it. */
  name: string | undefined;
}

export type SliceRead = { ok: true; endpoints: SliceEndpoint[] } | { ok: false; problem: string };

export interface EndpointSliceLister {
  list(cfg: SliceConfig, signal: AbortSignal): Promise<SliceRead>;
}

export interface KubernetesAccess {
  /** A kubeconfig file to load. */
  kubeconfig?: string | undefined;
  /** A plain API server URL without credentials (kubectl proxy, or a test server). */
  server?: string | undefined;
}

/** In-cluster credentials unless told otherwise; a problem (not an exception) when none can be loaded. */
export async function loadKubeConfig(access: KubernetesAccess, env: NodeJS.ProcessEnv = process.env): Promise<KubeConfig | string> {
  const kc = new (await import('./kube-config.ts')).KubeConfig();
  try {
    if (access.server) {
      kc.loadFromOptions({
        // The client refuses plain http unless told to skip TLS checks; for http there is no TLS to check (kubectl
        // proxy on loopback). An https server is verified as usual.
        clusters: [{ name: 'direct', server: access.server, skipTLSVerify: access.server.startsWith('http:') }],
        users: [{ name: 'none' }],
        contexts: [{ name: 'direct', cluster: 'direct', user: 'none' }],
        currentContext: 'direct',
      });
    } else if (access.kubeconfig) {
      kc.loadFromFile(access.kubeconfig);
    } else {
      if (!env.KUBERNETES_SERVICE_HOST) {
        return 'not running in a Kubernetes pod (KUBERNETES_SERVICE_HOST unset): set caracal.discovery.kubernetes.kubeconfig or .server';
      }
      kc.loadFromCluster();
    }
  } catch (err) {
    return `Kubernetes credentials could not be loaded: ${err instanceof Error ? err.message : String(err)}`;
  }
  return kc;
}

/** The slice's port for this service: the configured number, else the one named http, else the only one. */
function slicePort(slice: V1EndpointSlice, cfg: SliceConfig): number | undefined {
  if (cfg.port !== undefined) return cfg.port;
  const ports = slice.ports ?? [];
  return (ports.find((p) => p.name === 'http') ?? (ports.length === 1 ? ports[0] : undefined))?.port;
}

export function endpointsOf(slices: readonly V1EndpointSlice[], cfg: SliceConfig): SliceEndpoint[] {
  const seen = new Map<string, SliceEndpoint>();
  for (const slice of slices) {
    if (slice.addressType === 'FQDN') continue;
    const port = slicePort(slice, cfg);
    if (port === undefined) continue;
    for (const e of slice.endpoints ?? []) {
      if (e.conditions?.terminating === true) continue;
      const name = e.targetRef?.kind === 'Pod' ? e.targetRef.name : e.hostname;
      // One pod has one address per family; the first is the one its Service would reach.
      const [address] = e.addresses;
      if (address) seen.set(`${address}:${port}`, { address, port, name });
    }
  }
  return [...seen.values()].sort((a, b) => (a.name ?? a.address).localeCompare(b.name ?? b.address));
}

/** The API server's answer to a GET of `path`, with the current context's credentials and TLS settings. */
async function getJson(kc: KubeConfig, path: string, signal: AbortSignal): Promise<{ status: number; body: unknown }> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig names no current cluster');
  const url = new URL(`${server.replace(/\/$/, '')}${path}`);
  const options: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  // Plain http is a kubectl proxy on loopback (see loadKubeConfig): no TLS agent for it.
  if (url.protocol === 'http:') delete options.agent;
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(url, { ...options, method: 'GET', signal, headers: { ...options.headers, accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as unknown) : undefined });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: undefined });
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function refusal(status: number): string {
  const hint =
    status === 403 ? ': the service account may not list endpointslices there (see the Role in deploy/kustomize/caracal-namespace)' : '';
  return `Kubernetes API answered ${status}${hint}`;
}

export function createEndpointSliceLister(
  access: KubernetesAccess,
  opts: { timeoutMs: number; env?: NodeJS.ProcessEnv },
): EndpointSliceLister {
  let config: Promise<KubeConfig | string> | undefined;
  return {
    async list(cfg, signal) {
      const kc = await (config ??= loadKubeConfig(access, opts.env));
      if (typeof kc === 'string') return { ok: false, problem: kc };
      const where = `EndpointSlices of ${cfg.namespace}/${cfg.service}`;
      const bound = AbortSignal.any([signal, AbortSignal.timeout(opts.timeoutMs)]);
      const selector = encodeURIComponent(`kubernetes.io/service-name=${cfg.service}`);
      const path = `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(cfg.namespace)}/endpointslices?labelSelector=${selector}`;
      try {
        const { status, body } = await getJson(kc, path, bound);
        if (status !== 200) return { ok: false, problem: `${where} could not be listed: ${refusal(status)}` };
        const items = (body as Partial<V1EndpointSliceList> | undefined)?.items;
        if (!Array.isArray(items)) return { ok: false, problem: `${where} could not be listed: the answer is not an EndpointSliceList` };
        return { ok: true, endpoints: endpointsOf(items, cfg) };
      } catch (err) {
        if (bound.aborted) return { ok: false, problem: `${where}: no answer within ${opts.timeoutMs} ms` };
        return { ok: false, problem: `${where} could not be listed: ${err instanceof Error ? err.message : String(err)}` };
      }
    },
  };
}
