// The pods behind a Kubernetes Service, from its EndpointSlices (discovery.k8s.io/v1), through the official client.
// Every endpoint counts, ready or not: a pod that is not ready is exactly one the bot must look at. Only endpoints
// that are terminating are left out (they are on their way out and their replacement is listed).
// The client (1.5 MB with its dependencies) is loaded only when a lister first lists: a `check` with static or DNS
// discovery must not pay for it at start (issue 11's fast CLI).
import type { DiscoveryV1Api, KubeConfig, V1EndpointSlice } from '@kubernetes/client-node';
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

const kubernetes = () => import('@kubernetes/client-node');

/** In-cluster credentials unless told otherwise; a problem (not an exception) when none can be loaded. */
export async function loadKubeConfig(access: KubernetesAccess, env: NodeJS.ProcessEnv = process.env): Promise<KubeConfig | string> {
  const kc = new (await kubernetes()).KubeConfig();
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
    for (const e of slice.endpoints) {
      if (e.conditions?.terminating === true) continue;
      const name = e.targetRef?.kind === 'Pod' ? e.targetRef.name : e.hostname;
      // One pod has one address per family; the first is the one its Service would reach.
      const [address] = e.addresses;
      if (address) seen.set(`${address}:${port}`, { address, port, name });
    }
  }
  return [...seen.values()].sort((a, b) => (a.name ?? a.address).localeCompare(b.name ?? b.address));
}

function reason(err: unknown): string {
  const e = err as { code?: unknown; body?: unknown; message?: unknown };
  if (typeof e.code === 'number') {
    const hint =
      e.code === 403 ? ': the service account may not list endpointslices there (see the Role in deploy/kustomize/caracal-namespace)' : '';
    return `Kubernetes API answered ${e.code}${hint}`;
  }
  return typeof e.message === 'string' ? e.message : String(err);
}

export function createEndpointSliceLister(
  access: KubernetesAccess,
  opts: { timeoutMs: number; env?: NodeJS.ProcessEnv },
): EndpointSliceLister {
  let api: Promise<DiscoveryV1Api | string> | undefined;
  const client = () =>
    (api ??= (async () => {
      const kc = await loadKubeConfig(access, opts.env);
      return typeof kc === 'string' ? kc : kc.makeApiClient((await kubernetes()).DiscoveryV1Api);
    })());
  return {
    async list(cfg, signal) {
      const c = await client();
      if (typeof c === 'string') return { ok: false, problem: c };
      const where = `EndpointSlices of ${cfg.namespace}/${cfg.service}`;
      // The generated client takes no signal: the answer is raced against the caller's signal and our own bound.
      const bound = AbortSignal.any([signal, AbortSignal.timeout(opts.timeoutMs)]);
      let onAbort: (() => void) | undefined;
      const stopped = new Promise<never>((_, reject) => {
        onAbort = () => reject(new Error(`${where}: no answer within ${opts.timeoutMs} ms`));
        if (bound.aborted) onAbort();
        else bound.addEventListener('abort', onAbort, { once: true });
      });
      try {
        const request = c.listNamespacedEndpointSlice({
          namespace: cfg.namespace,
          labelSelector: `kubernetes.io/service-name=${cfg.service}`,
        });
        request.catch(() => undefined); // may settle after the race was lost: nothing to report then
        const list = await Promise.race([request, stopped]);
        return { ok: true, endpoints: endpointsOf(list.items, cfg) };
      } catch (err) {
        return { ok: false, problem: `${where} could not be listed: ${reason(err)}` };
      } finally {
        if (onAbort) bound.removeEventListener('abort', onAbort);
      }
    },
  };
}
