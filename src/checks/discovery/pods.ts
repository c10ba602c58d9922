// Which pods of STS, Gateway and Audit to check. Each of their pods keeps state of its own (a revocation snapshot,
// tamper counters, replay files), and the stock Helm chart gives them no per-pod address: a Service URL reaches
// one random pod per request (caracal-ops.md §15.2.1). So the pods are found per service: the configured URLs
// (static), the A/AAAA records of a headless Service (dns), or the Service's EndpointSlices (endpointslice).
import { isIP } from 'node:net';
import type { CaracalConfig, DiscoveredService, PodDiscoveryConfig, ServiceName } from '../../config.ts';
import { DISCOVERED_SERVICES } from '../../config.ts';
import { podLabel } from '../http/metrics-json.ts';
import type { CheckContext } from '../types.ts';
import type { EndpointSliceLister } from './endpoint-slices.ts';
import { shared } from './in-flight.ts';

export interface Pod {
  /** Base URL of this one pod. */
  url: string;
  /** How evidence names it: service, pod name when known, address. */
  label: string;
  /** The pod's name (its hostname) when the source tells it: EndpointSlices do, DNS A records do not. */
  name?: string;
}

export type PodSource = PodDiscoveryConfig['mode'];

export interface PodSet {
  service: ServiceName;
  source: PodSource;
  /** What was asked: the config key, the DNS name, or namespace/service. */
  from: string;
  pods: Pod[];
  /** Discovery failed: nothing can be said about any pod. */
  problem?: string;
}

/** The DNS calls discovery makes (node:dns/promises has them); injectable so tests and the sandbox need no DNS. */
export interface Resolver {
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
}

export interface PodDiscovery {
  pods(service: ServiceName, signal: AbortSignal): Promise<PodSet>;
}

const isDiscovered = (s: ServiceName): s is DiscoveredService => (DISCOVERED_SERVICES as readonly string[]).includes(s);

export function staticPods(caracal: CaracalConfig, service: ServiceName): PodSet {
  const pods = caracal.services[service].map((url) => ({ url, label: podLabel(service, url) }));
  return { service, source: 'static', from: `caracal.services.${service}`, pods };
}

/** `http://10.0.0.5:8081`, or with brackets for IPv6. */
export function podUrl(scheme: string, address: string, port: number): string {
  return `${scheme}://${isIP(address) === 6 ? `[${address}]` : address}:${port}`;
}

/** No A (or no AAAA) record is an answer, not a failure: a cluster may be single-stack. */
const EMPTY_ANSWER = new Set(['ENODATA', 'ENOTFOUND']);

async function addresses(lookup: () => Promise<string[]>): Promise<string[] | Error> {
  try {
    return await lookup();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && EMPTY_ANSWER.has(code)) return [];
    return err instanceof Error ? err : new Error(String(err));
  }
}

async function dnsPods(service: ServiceName, cfg: Extract<PodDiscoveryConfig, { mode: 'dns' }>, resolver: Resolver): Promise<PodSet> {
  const set: PodSet = { service, source: 'dns', from: `DNS ${cfg.name}`, pods: [] };
  const [v4, v6] = await Promise.all([addresses(() => resolver.resolve4(cfg.name)), addresses(() => resolver.resolve6(cfg.name))]);
  if (v4 instanceof Error && v6 instanceof Error) return { ...set, problem: `DNS lookup of ${cfg.name} failed: ${v4.message}` };
  const found = [...(Array.isArray(v4) ? v4 : []), ...(Array.isArray(v6) ? v6 : [])];
  const pods = [...new Set(found)].sort().map((ip) => {
    const url = podUrl(cfg.scheme, ip, cfg.port);
    return { url, label: podLabel(service, url) };
  });
  if (pods.length === 0)
    return {
      ...set,
      problem: `${cfg.name} has no A or AAAA record: the headless Service selects no pod (check its selector against the chart's labels)`,
    };
  return { ...set, pods };
}

async function sliceSet(
  service: ServiceName,
  cfg: Extract<PodDiscoveryConfig, { mode: 'endpointslice' }>,
  lister: EndpointSliceLister | undefined,
  signal: AbortSignal,
): Promise<PodSet> {
  const set: PodSet = { service, source: 'endpointslice', from: `EndpointSlices of ${cfg.namespace}/${cfg.service}`, pods: [] };
  if (!lister) return { ...set, problem: 'no Kubernetes API client is configured' };
  const read = await lister.list(cfg, signal);
  if (!read.ok) return { ...set, problem: read.problem };
  const pods = read.endpoints.map((e) => {
    const url = podUrl(cfg.scheme, e.address, e.port);
    const base = podLabel(service, url);
    return { url, label: e.name ? `${base} (pod ${e.name})` : base, ...(e.name ? { name: e.name } : {}) };
  });
  if (pods.length === 0)
    return { ...set, problem: `${cfg.namespace}/${cfg.service} has no endpoints: no pod is selected, or the Service name is wrong` };
  return { ...set, pods };
}

export function createPodDiscovery(
  caracal: CaracalConfig,
  deps: { resolver: Resolver; endpointSlices?: EndpointSliceLister },
): PodDiscovery {
  return {
    async pods(service, signal) {
      if (!isDiscovered(service)) return staticPods(caracal, service);
      const cfg = caracal.discovery[service];
      if (cfg.mode === 'dns') return dnsPods(service, cfg, deps.resolver);
      if (cfg.mode === 'endpointslice') return sliceSet(service, cfg, deps.endpointSlices, signal);
      return staticPods(caracal, service);
    },
  };
}

/** The pods of one service for this check run; reads in flight at the same time are shared by the run's checks. */
export function podsOf(ctx: CheckContext, service: ServiceName, signal: AbortSignal): Promise<PodSet> {
  const discovery = ctx.discovery;
  if (!discovery || !isDiscovered(service)) return Promise.resolve(staticPods(ctx.caracal, service));
  return shared(ctx, `pods:${service}`, signal, (own) => discovery.pods(service, own));
}
