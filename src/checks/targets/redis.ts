// Caracal's Redis: a client that fails fast while Redis is away instead of queueing forever.
import { readFileSync } from 'node:fs';
import { Redis, type RedisOptions } from 'ioredis';
import { TargetError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';

export interface RedisTarget {
  /** Run one command; any failure (refused, timed out, error reply) becomes a TargetError with the cause kept. */
  command(name: string, ...args: (string | number)[]): Promise<unknown>;
  /** ioredis connection status, for readiness and pool tests. */
  status(): string;
  end(): Promise<void>;
}

export interface RedisTargetOptions {
  url: string;
  /** CARACAL_REDIS_PASSWORD: wins over the URL's. The ACL user comes from the URL (redis://user@host). */
  password?: string | undefined;
  /** CA bundle for rediss:// (otherwise the system's CAs). */
  caFile?: string | undefined;
  connectTimeoutMs: number;
  logger?: Logger;
}

/** The error reply text of a failed command (e.g. "NOGROUP ..."), or undefined for a transport failure. */
export function replyError(err: unknown): string | undefined {
  const cause = err instanceof TargetError ? err.cause : err;
  return (cause as { name?: string })?.name === 'ReplyError' ? (cause as Error).message : undefined;
}

/**
 * Host, port, database, ACL user, password and TLS from the URL and the secret. Not `new Redis(url, options)`:
 * ioredis lets the URL's fields win, and `redis://user@host` carries an empty password that hides the secret.
 */
/** Where and as whom to connect: the part of ioredis's options these settings decide. */
export type RedisConnection = Pick<RedisOptions, 'host' | 'port' | 'db' | 'username' | 'password' | 'tls'>;

export function redisConnectionOptions(url: string, password?: string, caFile?: string): RedisConnection {
  const u = new URL(url);
  const username = decodeURIComponent(u.username);
  const secret = password || decodeURIComponent(u.password);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    db: Number.isInteger(db) ? db : 0,
    ...(username ? { username } : {}),
    ...(secret ? { password: secret } : {}),
    ...(u.protocol === 'rediss:' ? { tls: caFile ? { ca: readFileSync(caFile, 'utf8') } : {} } : {}),
  };
}

export function createRedisTarget(options: RedisTargetOptions): RedisTarget {
  // Settings that cannot be built (an unreadable CA file) are a finding on every command, not a crash at start.
  let connection: RedisConnection = {};
  let settingsProblem: string | undefined;
  try {
    connection = redisConnectionOptions(options.url, options.password, options.caFile);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { path?: string };
    settingsProblem = e.path ? `cannot read ${e.path} (${e.code ?? 'error'})` : 'invalid URL';
  }
  const client = new Redis({
    ...connection,
    protocol: 2, // explicit: RESP2 replies (flat arrays), which is what the checks parse
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs,
    commandTimeout: options.connectTimeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    connectionName: 'caracal-chatops',
  });
  // The connection's last error: with no retries, a command only says "max retries reached", not why.
  let lastConnectionError: string | undefined;
  client.on('ready', () => {
    lastConnectionError = undefined;
  });
  // Without a listener ioredis reports every reconnect failure as an unhandled error event.
  client.on('error', (err: Error) => {
    lastConnectionError = transportText(err.message, connection.username);
    options.logger?.debug({ err: { message: err.message } }, 'caracal redis error');
  });
  return {
    async command(name, ...args) {
      if (settingsProblem) throw new TargetError('redis', `Redis ${name}: ${settingsProblem}`);
      try {
        if (client.status === 'wait' || client.status === 'end') await client.connect();
        return await client.call(name, ...args);
      } catch (err) {
        const message = (err as Error).message ?? String(err);
        const retriesSpent = (err as { name?: string }).name === 'MaxRetriesPerRequestError';
        // A refused AUTH closes the connection: the reason is in the connection's last error, not the command's.
        const closedByAuth = /Connection is closed/.test(message) && lastConnectionError !== undefined;
        const text = closedByAuth
          ? lastConnectionError
          : retriesSpent
            ? `connection lost (${lastConnectionError ?? 'closed by the server or the network'})`
            : transportText(message);
        throw new TargetError('redis', `Redis ${name}: ${text}`, { cause: err });
      }
    },
    status: () => client.status,
    end: async () => {
      client.disconnect();
      await Promise.resolve();
    },
  };
}

/** A socket error in words an on-call engineer reads at a glance; anything else as it came. */
function transportText(message: string, username = 'default'): string {
  if (/WRONGPASS/.test(message))
    return `authentication failed for user "${username}": check CARACAL_REDIS_PASSWORD (and the user in the URL)`;
  if (/NOAUTH/.test(message))
    return 'the server requires a password and none is set: set CARACAL_REDIS_PASSWORD (or CARACAL_REDIS_PASSWORD_FILE)';
  if (/ECONNREFUSED/.test(message)) return 'connection refused';
  if (/ECONNRESET/.test(message)) return 'connection reset';
  if (/ETIMEDOUT|timed? ?out/i.test(message)) return 'timed out';
  return message;
}

/** Turn a flat RESP2 [k1, v1, k2, v2, ...] reply into an object. */
export function pairs(reply: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(reply)) return out;
  for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = reply[i + 1];
  return out;
}
