// The container and the Kubernetes manifests agree with the code: ports, probe paths, env var names, secrets by
// reference only. The manifests are rendered by `kubectl kustomize` (kubectl's built-in kustomize, offline).
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { SHUTDOWN_BOUND_MS } from '../../src/cli/lifecycle.ts';
import { createEndpointSliceLister } from '../../src/checks/discovery/endpoint-slices.ts';
import { DISCOVERED_SERVICES, parseConfig, SECRET_ENV, SERVICES, type Config, type PodDiscoveryConfig } from '../../src/config.ts';
import { startEndpointSliceApi } from '../../src/sandbox/caracal/endpoint-slices.ts';
import { createMetrics } from '../../src/metrics.ts';
import { operationalRoutes } from '../../src/wiring/http-routes.ts';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const read = (path: string) => readFileSync(`${ROOT}${path}`, 'utf8');

const ROUTES = operationalRoutes({ metrics: createMetrics(), isReady: () => Promise.resolve(true) }).map((r) => r.path);
const DEFAULT_PORT = parseConfig(undefined, {}).slack.port;
const ALLOWED_ENV = new Set<string>([...Object.values(SECRET_ENV), 'CARACAL_CHATOPS_CONFIG']);

/** Names of the variables .env.example documents (secrets plus the config path). */
function envExampleNames(): string[] {
  return read('.env.example').split('\n').map((l) => /^([A-Z0-9_]+)=/.exec(l)?.[1]).filter((n): n is string => Boolean(n));
}

interface Stage { from: string; name: string | undefined; lines: string[] }

function dockerStages(text: string): Stage[] {
  // Join continuation lines, drop comments.
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const args = Object.fromEntries(lines.filter((l) => l.startsWith('ARG ')).map((l) => l.slice(4).split('=') as [string, string]));
  const stages: Stage[] = [];
  for (const line of lines) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) stages.push({ from: from[1].replace(/\$\{(\w+)\}/g, (_, n: string) => args[n] ?? ''), name: from[2], lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  return stages;
}

describe('Dockerfile', () => {
  const stages = dockerStages(read('Dockerfile'));
  const runtime = stages.at(-1)!;
  const instruction = (stage: Stage, name: string) => stage.lines.filter((l) => l.toUpperCase().startsWith(`${name} `));

  it('is multi-stage on Node 20 slim: a build stage, production-only dependencies, a runtime stage', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'deps', 'runtime']);
    for (const s of stages) expect(s.from).toMatch(/^node:20[\w.-]*-slim$/);
    expect(instruction(stages[0], 'RUN').join('\n')).toContain('npm run build');
    expect(instruction(stages[1], 'RUN').join('\n')).toMatch(/npm ci --omit=dev/);
    // The runtime installs nothing from npm and never runs TypeScript.
    expect(runtime.lines.join('\n')).not.toMatch(/npm (ci|install|start)|tsx/);
  });

  it('runs as a non-root user under tini, the production entry, with the health check on the code\'s /healthz port', () => {
    const user = instruction(runtime, 'USER').at(-1)?.split(/\s+/)[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(instruction(runtime, 'ENTRYPOINT')[0]).toMatch(/tini.*--.*node.*bin\/caracal-chatops\.js/);
    expect(instruction(runtime, 'CMD').at(-1)).toBe('CMD ["serve"]');
    const health = instruction(runtime, 'HEALTHCHECK')[0];
    const path = /\/healthz/.exec(health)?.[0];
    expect(ROUTES).toContain(path);
    expect(health).toContain(`||${DEFAULT_PORT})`);
    expect(instruction(runtime, 'EXPOSE')).toEqual([`EXPOSE ${DEFAULT_PORT}`]);
  });

  it('copies only files that exist and that .dockerignore lets through', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));
    const sources = stages.flatMap((s) => instruction(s, 'COPY')).filter((l) => !l.includes('--from=')).flatMap((l) => l.split(/\s+/).slice(1, -1));
    expect(sources.length).toBeGreaterThan(3);
    for (const src of sources) {
      expect([src, existsSync(`${ROOT}${src}`)]).toEqual([src, true]);
      expect(ignored).not.toContain(src);
    }
    for (const kept of ['node_modules', 'dist', '.env', '.git']) expect(ignored).toContain(kept);
  });
});

interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: unknown;
  data?: Record<string, string>;
  automountServiceAccountToken?: boolean;
  rules?: RbacRule[];
  roleRef?: { apiGroup: string; kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}
interface RbacRule { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }
type Labels = Record<string, string>;
interface Probe { httpGet: { path: string; port: string } }
interface EnvVar { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }
interface Container {
  args: string[];
  ports: { name: string; containerPort: number }[];
  env: EnvVar[];
  livenessProbe: Probe;
  readinessProbe: Probe;
  startupProbe: Probe;
  resources: { requests: { cpu?: string; memory?: string }; limits: { memory?: string } };
  securityContext: { readOnlyRootFilesystem?: boolean };
  volumeMounts: { name: string; mountPath: string }[];
}
interface DeploymentSpec {
  replicas: number;
  template: {
    metadata: { labels: Labels };
    spec: {
      containers: Container[];
      terminationGracePeriodSeconds: number;
      securityContext: { runAsNonRoot?: boolean };
      volumes: { name: string; configMap?: { name: string } }[];
      serviceAccountName?: string;
      automountServiceAccountToken?: boolean;
    };
  };
}
interface ServiceSpec { ports: { port: number; targetPort: string | number }[]; selector: Labels; clusterIP?: string; publishNotReadyAddresses?: boolean }
interface SelectorSpec { selector: { matchLabels: Labels } }
interface NetworkPolicyValues { networkPolicy: { extraIngress: { from: { podSelector: { matchLabels: Labels }; namespaceSelector: { matchLabels: Labels } }[]; ports: { port: number }[] }[] } }

async function render(dir: string): Promise<K8sObject[]> {
  const { stdout } = await run('kubectl', ['kustomize', `${ROOT}${dir}`]).catch((err: Error) => {
    throw new Error(`kubectl kustomize failed (kubectl is needed to render the manifests): ${err.message}`);
  });
  return parseAllDocuments(stdout).map((d) => d.toJS() as K8sObject);
}

describe('Kubernetes manifests (kustomize)', () => {
  let objects: K8sObject[];
  let caracalSide: K8sObject[];
  beforeAll(async () => {
    objects = await render('deploy/kustomize/overlays/production');
    caracalSide = await render('deploy/kustomize/caracal-namespace');
  }, 60_000);
  const one = (kind: string) => {
    const found = objects.filter((o) => o.kind === kind);
    expect(found, kind).toHaveLength(1);
    return found[0];
  };
  const deployment = () => one('Deployment').spec as DeploymentSpec;
  const podSpec = () => deployment().template.spec;
  const container = () => podSpec().containers[0];

  it('has 2 replicas, probes on the code\'s /healthz and /readyz, resources, and a grace period above the shutdown bound', () => {
    expect(deployment().replicas).toBe(2);
    const c = container();
    expect(c.args).toEqual(['serve']);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    for (const p of [c.livenessProbe, c.readinessProbe, c.startupProbe]) expect(ROUTES).toContain(p.httpGet.path);
    expect(c.resources.requests.cpu).toBeDefined();
    expect(c.resources.requests.memory).toBeDefined();
    expect(c.resources.limits.memory).toBeDefined();
    expect(podSpec().terminationGracePeriodSeconds * 1000).toBeGreaterThan(SHUTDOWN_BOUND_MS);
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(podSpec().securityContext.runAsNonRoot).toBe(true);
  });

  it('the ConfigMap is a valid configuration whose port is the container\'s and the Service\'s', () => {
    const cm = one('ConfigMap');
    const text = cm.data!['config.yml'];
    const config = parseConfig(text, {});
    expect(config.caracal.postgres.url).not.toMatch(/:[^/@]+@/); // no password in the URL
    expect(config.caracal.redis.url).not.toMatch(/:[^/@]+@/);
    for (const s of SERVICES) expect(config.caracal.services[s].length).toBeGreaterThan(0);
    const port = container().ports.find((p) => p.name === 'http')!;
    expect(port.containerPort).toBe(config.slack.port);
    const service = one('Service');
    expect((service.spec as ServiceSpec).ports[0].targetPort).toBe('http');
    // The file the pod reads is the mounted ConfigMap.
    const env = Object.fromEntries(container().env.map((e) => [e.name, e.value]));
    const mount = container().volumeMounts.find((m) => m.name === 'config')!;
    expect(env.CARACAL_CHATOPS_CONFIG).toBe(`${mount.mountPath}/config.yml`);
    expect(podSpec().volumes.find((v) => v.name === 'config')?.configMap?.name).toBe(cm.metadata.name);
  });

  it('references every secret of .env.example from a Secret, names only variables the config knows, inlines none', () => {
    const env = container().env;
    for (const e of env) expect([e.name, ALLOWED_ENV.has(e.name)]).toEqual([e.name, true]);
    const secretRefs = env.filter((e) => e.valueFrom?.secretKeyRef).map((e) => e.name);
    const secretsInExample = envExampleNames().filter((n) => n !== 'CARACAL_CHATOPS_CONFIG');
    expect(new Set(secretRefs)).toEqual(new Set(secretsInExample));
    expect(new Set(secretRefs)).toEqual(new Set(Object.values(SECRET_ENV)));
    for (const e of env.filter((x) => x.value !== undefined)) expect(e.name).toBe('CARACAL_CHATOPS_CONFIG');
    for (const e of env.filter((x) => x.valueFrom)) expect(e.valueFrom!.secretKeyRef!.key).toBe(e.name);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('has a PodDisruptionBudget and a ServiceMonitor for /metrics that select the bot', () => {
    const podLabels = deployment().template.metadata.labels;
    const pdb = one('PodDisruptionBudget').spec as SelectorSpec & { minAvailable: number };
    expect(pdb.minAvailable).toBe(1);
    expect(podLabels).toMatchObject(pdb.selector.matchLabels);
    const monitor = one('ServiceMonitor').spec as SelectorSpec & { endpoints: { port: string; path: string }[] };
    expect(monitor.endpoints[0]).toMatchObject({ port: 'http', path: '/metrics' });
    expect(ROUTES).toContain('/metrics');
    expect(one('Service').metadata.labels).toMatchObject(monitor.selector.matchLabels);
  });

  it('headless Services select the STS, Gateway and Audit pods of Caracal\'s chart on their ports', () => {
    const example = parseConfig(read('config.example.yml'), {});
    const specs = caracalSide.filter((o) => o.kind === 'Service').map((s) => s.spec as ServiceSpec);
    const byComponent = Object.fromEntries(specs.map((spec) => [spec.selector['app.kubernetes.io/component'] ?? '', spec]));
    expect(Object.keys(byComponent).sort()).toEqual(['audit', 'gateway', 'sts']);
    for (const [component, spec] of Object.entries(byComponent)) {
      expect(spec.clusterIP).toBe('None');
      expect(spec.publishNotReadyAddresses).toBe(true);
      expect(spec.selector).toMatchObject({ 'app.kubernetes.io/name': 'caracal', 'app.kubernetes.io/instance': 'caracal' });
      const port = Number(new URL(example.caracal.services[component as 'sts'][0]).port);
      expect(spec.ports[0].port).toBe(port);
    }
  });

  it('the networkPolicy.extraIngress snippet admits the bot\'s pods on every Caracal service port', () => {
    const values = parseYaml(read('deploy/kustomize/caracal-namespace/caracal-values-networkpolicy.yaml')) as NetworkPolicyValues;
    const rule = values.networkPolicy.extraIngress[0];
    const podLabels = deployment().template.metadata.labels;
    expect(podLabels).toMatchObject(rule.from[0].podSelector.matchLabels);
    expect(rule.from[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name']).toBe(one('Namespace').metadata.name);
    const example = parseConfig(read('config.example.yml'), {});
    const ports = SERVICES.map((s) => Number(new URL(example.caracal.services[s][0]).port)).sort();
    expect(rule.ports.map((p) => p.port).sort()).toEqual(ports);
  });

  describe('EndpointSlice discovery: ServiceAccount, token, Role and RoleBinding agree with the code and the config', () => {
    const config = (): Config => parseConfig(one('ConfigMap').data!['config.yml'], {});
    const sliceModes = () =>
      DISCOVERED_SERVICES.map((s) => config().caracal.discovery[s]).filter((d): d is Extract<PodDiscoveryConfig, { mode: 'endpointslice' }> => d.mode === 'endpointslice');
    const caracalOne = (kind: string) => {
      const found = caracalSide.filter((o) => o.kind === kind);
      expect(found, kind).toHaveLength(1);
      return found[0];
    };

    it('the Role grants exactly the API calls the discovery code makes, nothing else', async () => {
      // Run the real lister against a stand-in API server and turn each request into the RBAC it needs.
      const api = await startEndpointSliceApi(() => [{ address: '10.0.0.1', port: 8081, pod: 'gateway-0' }]);
      try {
        const lister = createEndpointSliceLister({ server: api.url }, { timeoutMs: 3000 });
        const read = await lister.list({ mode: 'endpointslice', service: 'caracal-caracal-gateway', namespace: 'caracal', scheme: 'http' }, AbortSignal.timeout(5000));
        expect(read.ok).toBe(true);
        expect(api.requests.length).toBeGreaterThan(0);
        const needed = new Set(api.requests.map(rbacOf));
        const role = caracalOne('Role');
        const granted = new Set(role.rules!.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g}/${res}:${v}`)))));
        expect(granted).toEqual(needed);
        expect(needed).toEqual(new Set(['discovery.k8s.io/endpointslices:list']));
        // A list by label cannot be narrowed to names; a rule with names would silently allow nothing.
        for (const r of role.rules!) expect(r.resourceNames).toBeUndefined();
        expect(caracalSide.filter((o) => o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding')).toEqual([]);
      } finally {
        await api.close();
      }
    });

    it('the RoleBinding gives that Role to the ServiceAccount the Deployment runs as, in the bot\'s namespace', () => {
      const sa = one('ServiceAccount');
      const binding = caracalOne('RoleBinding');
      const role = caracalOne('Role');
      expect(podSpec().serviceAccountName).toBe(sa.metadata.name);
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
      expect(binding.metadata.namespace).toBe(role.metadata.namespace);
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: one('Namespace').metadata.name }]);
      expect(sa.metadata.namespace).toBe(one('Namespace').metadata.name);
    });

    it('the pod gets a token exactly when the config discovers by EndpointSlice; the account alone mounts none', () => {
      const sa = one('ServiceAccount');
      const pod = podSpec().automountServiceAccountToken;
      // The pod spec's setting wins over the account's (Kubernetes' rule for automountServiceAccountToken).
      const mounted = pod ?? sa.automountServiceAccountToken ?? true;
      expect(mounted).toBe(sliceModes().length > 0);
      expect(sa.automountServiceAccountToken).toBe(false);
    });

    it('the config discovers in the Role\'s namespace, the Services behind its own URLs', () => {
      const modes = sliceModes();
      expect(modes.map((m) => m.service).sort()).toEqual(['caracal-caracal-audit', 'caracal-caracal-gateway', 'caracal-caracal-sts']);
      const namespace = caracalOne('Role').metadata.namespace;
      for (const s of DISCOVERED_SERVICES) {
        const d = config().caracal.discovery[s];
        if (d.mode !== 'endpointslice') continue;
        expect([s, d.namespace]).toEqual([s, namespace]);
        // The Service whose pods are listed is the one the configured URL reaches: <service>.<namespace>.svc.
        const [host, ns] = new URL(config().caracal.services[s][0]).hostname.split('.');
        expect([s, host, ns]).toEqual([s, d.service, d.namespace]);
        expect([s, d.port]).toEqual([s, Number(new URL(config().caracal.services[s][0]).port)]);
      }
    });
  });
});

/** The RBAC a request to the API server needs: group/resource:verb (collection GET is list, ?watch is watch). */
function rbacOf(request: string): string {
  const url = new URL(request, 'http://api.invalid');
  const m = /^\/apis\/([^/]+)\/[^/]+\/namespaces\/[^/]+\/([^/]+)(\/[^/]+)?$/.exec(url.pathname);
  if (!m) throw new Error(`not a namespaced API group request: ${request}`);
  const verb = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1' ? 'watch' : m[3] ? 'get' : 'list';
  return `${m[1]}/${m[2]}:${verb}`;
}
