// Caracal's Redis: a client that fails fast while Redis is away instead of queueing forever.
import { Redis } from 'ioredis';
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
  password?: string | undefined;
  connectTimeoutMs: number;
  logger?: Logger;
}

/** The error reply text of a failed command (e.g. "NOGROUP ..."), or undefined for a transport failure. */
export function replyError(err: unknown): string | undefined {
  const cause = err instanceof TargetError ? err.cause : err;
  return (cause as { name?: string })?.name === 'ReplyError' ? (cause as Error).message : undefined;
}

export function createRedisTarget(options: RedisTargetOptions): RedisTarget {
  const client = new Redis(options.url, {
    ...(options.password ? { password: options.password } : {}),
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
    lastConnectionError = transportText(err.message);
    options.logger?.debug({ err: { message: err.message } }, 'caracal redis error');
  });
  return {
    async command(name, ...args) {
      try {
        if (client.status === 'wait' || client.status === 'end') await client.connect();
        return await client.call(name, ...args);
      } catch (err) {
        const message = (err as Error).message ?? String(err);
        const retriesSpent = (err as { name?: string }).name === 'MaxRetriesPerRequestError';
        const text = retriesSpent ? `connection lost (${lastConnectionError ?? 'closed by the server or the network'})` : transportText(message);
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
function transportText(message: string): string {
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
