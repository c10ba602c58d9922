// The simulated Caracal's Redis: the real streams and consumer groups of a healthy v1.0 deployment with two
// Gateway pods, in a logical database of the local Redis reserved for the sandbox. No Redis reachable is not an
// error: the sandbox then runs as in a Redis outage, which is what the checks will report.
import { Redis } from 'ioredis';
import { gatewayGroup, provisionCaracalStreams, SERVICE_GROUPS, type GroupSpec } from './streams.ts';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** Away from 0 (where a developer's own keys live) and announced in the README, so it can be wiped without fear. */
export const DEFAULT_REDIS_DB = 9;
/** Pod hostnames: each Gateway pod reads its own group, gateway-revocation:<hostname> (caracal-ops.md §3.1). */
export const GATEWAY_HOSTS = ['gateway-0', 'gateway-1'] as const;
/** The groups a running deployment polls: the services' own groups and one per Gateway pod. */
export const LIVE_GROUPS: readonly GroupSpec[] = [...SERVICE_GROUPS, ...GATEWAY_HOSTS.map(gatewayGroup)];

export interface CaracalRedis {
  available: boolean;
  /** Why Redis is unavailable, when it is (shown by the sandbox, never an error). */
  problem: string | undefined;
  target: { host: string; port: number };
  db: number;
  username: string | undefined;
  /** Kept out of URLs: it goes to the bot as CARACAL_REDIS_PASSWORD. */
  password: string | undefined;
  /** The sandbox's own connection to the dedicated database, straight to Redis (not through the proxy). */
  client: Redis | undefined;
  close(): Promise<void>;
}

interface Endpoint {
  host: string;
  port: number;
  db: number;
  username: string | undefined;
  password: string | undefined;
}

function parse(url: string, db: number | undefined): Endpoint {
  const u = new URL(url);
  const fromPath = Number.parseInt(u.pathname.slice(1), 10);
  const chosen = db ?? (Number.isInteger(fromPath) ? fromPath : DEFAULT_REDIS_DB);
  if (!Number.isInteger(chosen) || chosen < 0 || chosen > 15) throw new Error(`sandbox Redis db must be 0..15, not ${chosen}`);
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 6379),
    db: chosen,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
  };
}

function connect(e: Endpoint, probe: boolean): Redis {
  const client = new Redis({
    host: e.host,
    port: e.port,
    db: e.db,
    ...(e.username ? { username: e.username } : {}),
    ...(e.password ? { password: e.password } : {}),
    protocol: 2, // flat RESP2 replies, as the fixtures parse them
    lazyConnect: true,
    connectTimeout: 1500,
    maxRetriesPerRequest: 0,
    // The probe gives up at once; the long-lived client keeps reconnecting if the local Redis restarts.
    retryStrategy: probe ? () => null : (times) => Math.min(times * 200, 2000),
  });
  // Without a listener ioredis reports every reconnect failure as an unhandled error event.
  client.on('error', () => undefined);
  return client;
}

async function reachable(e: Endpoint): Promise<string | undefined> {
  const probe = connect(e, true);
  try {
    await probe.connect();
    await probe.ping();
    return undefined;
  } catch (err) {
    return `Redis at ${e.host}:${e.port} is not reachable (${(err as Error).message})`;
  } finally {
    probe.disconnect();
  }
}

/** Provision a fresh, healthy deployment in the dedicated database (flushed first: it belongs to the sandbox). */
export async function startCaracalRedis(options: { url?: string | undefined; db?: number | undefined }): Promise<CaracalRedis> {
  const e = parse(options.url ?? DEFAULT_REDIS_URL, options.db);
  const base = { target: { host: e.host, port: e.port }, db: e.db, username: e.username, password: e.password };
  const problem = await reachable(e);
  if (problem) return { ...base, available: false, problem, client: undefined, close: () => Promise.resolve() };
  const client = connect(e, false);
  try {
    await client.connect();
    await client.flushdb();
    await provisionCaracalStreams(client, { gatewayHosts: [...GATEWAY_HOSTS] });
  } catch (err) {
    client.disconnect();
    throw err;
  }
  return {
    ...base,
    available: true,
    problem: undefined,
    client,
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

/** The URL the bot gets: the proxy's address and the dedicated database, with the username but no password. */
export function botRedisUrl(store: CaracalRedis, proxy: { host: string; port: number }): string {
  const user = store.username ? `${encodeURIComponent(store.username)}@` : '';
  return `redis://${user}${proxy.host}:${proxy.port}/${store.db}`;
}
