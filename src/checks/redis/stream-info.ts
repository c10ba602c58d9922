// Shared by the Redis checks: reading RESP2 stream replies (XINFO, XPENDING, XRANGE), and the two outcomes every
// Redis check gives when there is no Redis to read.
import { TargetError } from '../../errors.ts';
import { pairs, replyError, type RedisTarget } from '../targets/redis.ts';
import type { CheckContext, CheckOutcome } from '../types.ts';

export interface GroupInfo {
  name: string;
  consumers: number;
  pending: number;
  lastDeliveredId: string;
  /** Entries not yet delivered to the group; null when Redis cannot tell (XINFO answers nil, e.g. after XDEL). */
  lag: number | null;
}

export interface ConsumerInfo {
  name: string;
  pending: number;
  /** Milliseconds since the consumer last read something (XINFO CONSUMERS `idle`; an empty read does not count
   *  before Redis 7.2, see caracal-ops.md §15.3). */
  idleMs: number;
  /** Milliseconds since the consumer last tried to read (`inactive`, Redis 7.2+; -1 = never); undefined before 7.2. */
  inactiveMs: number | undefined;
}

export interface StreamEntry {
  id: string;
  fields: Record<string, string>;
}

function num(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : 0;
}

function rows(reply: unknown): unknown[] {
  return Array.isArray(reply) ? (reply as unknown[]) : [];
}

/** XINFO GROUPS: one flat [k, v, ...] array per group. */
export function parseGroups(reply: unknown): GroupInfo[] {
  return rows(reply).map((row) => {
    const g = pairs(row);
    return {
      name: String(g.name),
      consumers: num(g.consumers),
      pending: num(g.pending),
      lastDeliveredId: String(g['last-delivered-id']),
      lag: g.lag === null || g.lag === undefined ? null : num(g.lag),
    };
  });
}

/** XINFO CONSUMERS: one flat [k, v, ...] array per consumer. */
export function parseConsumers(reply: unknown): ConsumerInfo[] {
  return rows(reply).map((row) => {
    const c = pairs(row);
    const inactiveMs = c.inactive === undefined || c.inactive === null ? undefined : num(c.inactive);
    return { name: String(c.name), pending: num(c.pending), idleMs: num(c.idle), inactiveMs };
  });
}

/** XPENDING summary: [count, smallest-id, greatest-id, [[consumer, count], ...] | nil]. */
export function parsePendingSummary(reply: unknown): { count: number; consumers: { name: string; count: number }[] } {
  const [count, , , perConsumer] = rows(reply);
  return {
    count: num(count),
    consumers: rows(perConsumer).map((c) => {
      const [name, n] = rows(c);
      return { name: String(name), count: num(n) };
    }),
  };
}

/** Extended XPENDING with COUNT 1: [[id, consumer, idle-ms, deliveries]], or [] when nothing is pending. */
export function parseFirstPendingIdleMs(reply: unknown): number | undefined {
  const first = rows(reply)[0];
  return first === undefined ? undefined : num(rows(first)[2]);
}

/** XRANGE: [[id, [k, v, ...]], ...]. */
export function parseEntries(reply: unknown): StreamEntry[] {
  return rows(reply).map((row) => {
    const [id, flat] = rows(row);
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(pairs(flat))) fields[k] = String(v);
    return { id: String(id), fields };
  });
}

/** The creation time encoded in a stream entry ID (`<unix-ms>-<seq>`). */
export function entryIdMs(id: string): number {
  return Number(id.split('-')[0]);
}

/** `redis_version` from INFO server, or 'unknown' when INFO is renamed or disabled (some managed Redis). */
export async function serverVersion(redis: RedisTarget): Promise<string> {
  try {
    const text = String(await redis.command('INFO', 'server'));
    return /^redis_version:(\S+)/m.exec(text)?.[1] ?? 'unknown';
  } catch (err) {
    if (replyError(err) !== undefined) return 'unknown';
    throw err;
  }
}

/** The server's clock in ms (TIME), the clock stream entry IDs are written with. */
export async function serverTimeMs(redis: RedisTarget): Promise<number> {
  const [s, us] = rows(await redis.command('TIME'));
  return num(s) * 1000 + Math.floor(num(us) / 1000);
}

/** Age in ms of the first entry after the group's last-delivered-id, or undefined when nothing waits. */
export async function oldestUndeliveredAgeMs(
  redis: RedisTarget,
  stream: string,
  lastDeliveredId: string,
  nowMs: number,
): Promise<number | undefined> {
  const [first] = parseEntries(await redis.command('XRANGE', stream, `(${lastDeliveredId}`, '+', 'COUNT', 1));
  return first === undefined ? undefined : Math.max(0, nowMs - entryIdMs(first.id));
}

/** True when a failed command means "that key/group does not exist" rather than "Redis is down". */
export function isMissing(err: unknown): boolean {
  const reply = replyError(err);
  return reply !== undefined && (reply.startsWith('NOGROUP') || /no such key/i.test(reply));
}

/** XINFO GROUPS of a stream, or undefined when the stream does not exist. */
export async function readGroups(redis: RedisTarget, stream: string): Promise<GroupInfo[] | undefined> {
  try {
    return parseGroups(await redis.command('XINFO', 'GROUPS', stream));
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

function redisNotConfigured(): CheckOutcome {
  return {
    status: 'fail',
    summary: 'Caracal Redis is not configured (caracal.redis.url is unset), so this could not be checked.',
    remedy: 'Set caracal.redis.url in the config file (and CARACAL_REDIS_PASSWORD if Redis needs one), then re-run.',
  };
}

/**
 * Redis refused, timed out or rejected a command we rely on: a verdict about Redis, so a value with its
 * matrix row. Anything else is a checker bug and is rethrown for the executor to report as such.
 */
function redisUnavailable(err: unknown): CheckOutcome {
  if (!(err instanceof TargetError)) throw err;
  return {
    status: 'fail',
    summary: `Could not read Caracal's Redis (${err.message})`,
    remedy: 'Restore Redis (caracal-ops.md §12, "Restore Postgres and Redis"), then re-run the storage checks.',
    matrix: ['redis'],
  };
}

/** Every Redis check's `run`: `read` gets the target; no Redis configured, or Redis failing it, is the verdict. */
export async function withRedis(ctx: CheckContext, read: (redis: RedisTarget) => Promise<CheckOutcome>): Promise<CheckOutcome> {
  if (!ctx.redis) return redisNotConfigured();
  try {
    return await read(ctx.redis);
  } catch (err) {
    return redisUnavailable(err);
  }
}
