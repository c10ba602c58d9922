// The simulated Caracal of the local sandbox: Postgres (PGlite when none is configured) and Redis holding a healthy
// v1.0 deployment behind TCP proxies, the simulated HTTP services, and the fault catalog. Returns the bot's
// configuration (file + secret env) pointing at it. Used by `npm start` in sandbox mode and by tests.
import { createHash, randomBytes } from 'node:crypto';
import { activationBody, startFakeCaracal, type FakeCaracal, type RedisErrorDelays } from '../fake-caracal.ts';
import { sandboxBackend } from './backend.ts';
import { createFaultControl, resetPersistent, type FaultControl } from './faults.ts';
import { botPostgresUrl, startCaracalPostgres } from './postgres.ts';
import { startTcpProxy } from './proxy.ts';
import { botRedisUrl, GATEWAY_HOSTS, startCaracalRedis } from './redis.ts';
import { seedDeployment } from './seed.ts';
import { startEndpointSliceApi } from './endpoint-slices.ts';
import { startServiceProxy } from './service-proxy.ts';
import { freshMemory, type Sim } from './sim.ts';

export type { FaultControl, FaultInfo, Expectation } from './faults.ts';
export { FAULTS, FaultError } from './faults.ts';

/** The sandbox deployment's one zone and policy set (UUIDs, as Caracal's routes require). */
export const SANDBOX_ZONE = 'c0ffee00-5a4d-4b0c-8000-000000000001';
export const SANDBOX_POLICY_SET = 'c0ffee00-5a4d-4b0c-8000-0000000000a1';
/** The Helm chart's names for release "caracal": namespace caracal, Service caracal-caracal-gateway (§1.1). */
export const SANDBOX_NAMESPACE = 'caracal';
export const SANDBOX_GATEWAY_SERVICE = 'caracal-caracal-gateway';

export interface SimulatedCaracalOptions {
  /** The Redis to provision in (default redis://127.0.0.1:6379); unreachable means "Redis down", not an error. */
  redisUrl?: string;
  /** The logical database reserved for the sandbox (default 9, or the URL's); it is flushed at start. */
  redisDb?: number;
  /** A Postgres database dedicated to the simulated Caracal; absent: an embedded PGlite. */
  postgresUrl?: string | undefined;
  /** How often the services' state is re-derived from the stores (default 2000 ms; 0: only on inject/clear). */
  syncIntervalMs?: number | undefined;
  onSyncError?: (err: unknown) => void;
  /**
   * How long API and Coordinator take to answer 500 once Redis is gone. Real Caracal took 0.5 to 21 s (the
   * Coordinator about 20 s every time); tests may set it short.
   */
  redisErrorDelayMs?: Partial<RedisErrorDelays>;
  /** The simulated deployment's clock (epoch ms): outbox backoff and job intervals follow it. */
  now?: () => number;
}

/** The part of the bot's YAML configuration that points at the simulated deployment. */
export interface SimulatedCaracalFile {
  caracal: {
    postgres: { url: string };
    redis: { url: string };
    services: FakeCaracal['urls'];
    /** The Gateway pods sit behind one Service URL (as with the stock chart); the bot finds them by EndpointSlice. */
    discovery: {
      gateway: { mode: 'endpointslice'; service: string; namespace: string };
      kubernetes: { server: string };
    };
    /** The Resume canary: one allowed and one denied resource through the Gateway Service. */
    canary: {
      zoneId: string;
      allow: { method: 'GET'; path: string; headers: Record<string, string>; expectStatus: number };
      deny: { method: 'GET'; path: string; headers: Record<string, string>; expectStatus: number };
      lookupTimeoutMs: number;
    };
    zones: string[];
    policySets: { zoneId: string; policySetId: string }[];
  };
}

export interface SimulatedCaracal {
  file: SimulatedCaracalFile;
  /** Secret environment variables for the bot, matching what the simulated services expect. */
  env: Record<string, string>;
  faults: FaultControl;
  redisAvailable: boolean;
  /** Why Redis is down from the start, when it is. */
  redisProblem: string | undefined;
  postgresKind: 'pglite' | 'postgres';
  /** The simulated HTTP services (their state and the requests they saw), for tests and the UI. */
  fake: FakeCaracal;
  close(): Promise<void>;
}

const token = (name: string) => `sandbox-${name}-${randomBytes(12).toString('hex')}`;

/**
 * The deployment's AUDIT_HMAC_KEY. Fixed, unlike the tokens: the audit chain in a configured Postgres outlives the
 * sandbox process, and a new key would make every kept row fail its chain HMAC. It guards simulated evidence only.
 */
export const SANDBOX_AUDIT_HMAC_KEY = createHash('sha256').update('caracal-chatops sandbox AUDIT_HMAC_KEY').digest('hex');

export async function startSimulatedCaracal(options: SimulatedCaracalOptions = {}): Promise<SimulatedCaracal> {
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    // Last opened, first closed: the services before the proxies before the stores they point at.
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    const now = new Date(options.now?.() ?? Date.now());
    const postgres = await startCaracalPostgres({ url: options.postgresUrl, now });
    closers.push(() => postgres.close());
    const redis = await startCaracalRedis({ url: options.redisUrl, db: options.redisDb });
    closers.push(() => redis.close());
    const pgProxy = await startTcpProxy(postgres.target);
    closers.push(() => pgProxy.close());
    // Without Redis the proxy stays shut: the bot sees "connection refused", exactly as in an outage.
    const redisProxy = await startTcpProxy(redis.target, redis.available ? {} : { startDown: 'refuse' });
    closers.push(() => redisProxy.close());
    const secrets = {
      metricsBearer: token('metrics'),
      adminToken: token('admin'),
      apiRead: token('api-read'),
      coordinator: token('coordinator'),
      auditAdmin: token('audit-admin'),
      canary: token('canary-mandate'),
    };
    const clock = options.now ?? (() => Date.now());
    const fake = await startFakeCaracal({
      pods: { gateway: GATEWAY_HOSTS.length },
      tokens: {
        metricsBearer: secrets.metricsBearer,
        adminToken: secrets.adminToken,
        apiReadToken: secrets.apiRead,
        coordinatorToken: secrets.coordinator,
        auditAdminToken: secrets.auditAdmin,
        canaryMandate: secrets.canary,
      },
      ...(options.redisErrorDelayMs ? { redisErrorDelayMs: options.redisErrorDelayMs } : {}),
      now: clock,
    });
    closers.push(() => fake.close());
    // One Service address for the Gateway pods, and the EndpointSlice API that names each pod with its own address.
    const gatewayService = await startServiceProxy(fake.urls.gateway);
    closers.push(() => gatewayService.close());
    const slices = await startEndpointSliceApi((namespace, service) =>
      namespace === SANDBOX_NAMESPACE && service === SANDBOX_GATEWAY_SERVICE
        ? fake.urls.gateway.map((u, i) => ({
            address: '127.0.0.1',
            port: Number(new URL(u).port),
            pod: GATEWAY_HOSTS[i] ?? `gateway-${i}`,
          }))
        : undefined,
    );
    closers.push(() => slices.close());

    const ids = { zoneId: SANDBOX_ZONE, policySetId: SANDBOX_POLICY_SET, auditKeyHex: SANDBOX_AUDIT_HMAC_KEY };
    fake.state.gatewayPolicy = { zoneId: ids.zoneId, allowedResources: ['sandbox-canary-allowed'] };
    for (const sts of fake.state.sts) sts.jwks[ids.zoneId] = 2;
    fake.state.policySets[`${ids.zoneId}/${ids.policySetId}`] = activationBody(ids.zoneId, ids.policySetId);
    const sim: Sim = {
      fake,
      postgres,
      redis,
      ids,
      proxies: { postgres: pgProxy, redis: redisProxy },
      memory: freshMemory(fake.state.gateway.length, now.getTime()),
      now: clock,
    };
    // The requeue, DLQ replay and /stats routes act on the sandbox's real stores.
    fake.backend = sandboxBackend(sim);
    fake.state.gateway.forEach((pod, i) => {
      const mem = sim.memory.gateways[i];
      if (mem) mem.seenReloads = pod.reloads;
    });
    await seedDeployment(postgres, ids, now);
    // A kept database may still hold a previous run's dead rows or tampered row: start green.
    if (postgres.kind === 'postgres') await resetPersistent(sim);
    const faults = createFaultControl(sim);
    await faults.sync();
    const interval = options.syncIntervalMs ?? 2000;
    const timer =
      interval > 0 ? setInterval(() => void faults.sync().catch((err: unknown) => options.onSyncError?.(err)), interval) : undefined;
    timer?.unref();
    closers.push(async () => {
      clearInterval(timer);
      // Let a running inject, clear or sync finish before its stores go away.
      await faults.idle();
    });

    const env: Record<string, string> = {
      CARACAL_METRICS_BEARER: secrets.metricsBearer,
      CARACAL_ADMIN_TOKEN: secrets.adminToken,
      CARACAL_API_READ_TOKEN: secrets.apiRead,
      CARACAL_COORDINATOR_TOKEN: secrets.coordinator,
      CARACAL_AUDIT_ADMIN_TOKEN: secrets.auditAdmin,
      CARACAL_AUDIT_HMAC_KEY: ids.auditKeyHex,
      CARACAL_CANARY_BEARER: secrets.canary,
      ...(postgres.password ? { CARACAL_POSTGRES_PASSWORD: postgres.password } : {}),
      ...(redis.password ? { CARACAL_REDIS_PASSWORD: redis.password } : {}),
    };
    return {
      file: {
        caracal: {
          postgres: { url: botPostgresUrl(postgres, pgProxy) },
          redis: { url: botRedisUrl(redis, redisProxy) },
          services: { ...fake.urls, gateway: [gatewayService.url] },
          discovery: {
            gateway: { mode: 'endpointslice', service: SANDBOX_GATEWAY_SERVICE, namespace: SANDBOX_NAMESPACE },
            kubernetes: { server: slices.url },
          },
          canary: {
            zoneId: ids.zoneId,
            allow: { method: 'GET', path: '/canary', headers: { 'x-caracal-resource': 'sandbox-canary-allowed' }, expectStatus: 200 },
            deny: { method: 'GET', path: '/canary', headers: { 'x-caracal-resource': 'sandbox-canary-denied' }, expectStatus: 403 },
            // The simulated Audit inserts at once when it can; a decision still missing after 3 s is not coming.
            // Short enough for the verdict to be the finding, not the check's 5 s timeout.
            lookupTimeoutMs: 3000,
          },
          zones: [ids.zoneId],
          policySets: [{ zoneId: ids.zoneId, policySetId: ids.policySetId }],
        },
      },
      env,
      faults,
      redisAvailable: redis.available,
      redisProblem: redis.problem,
      postgresKind: postgres.kind,
      fake,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
