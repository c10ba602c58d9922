// Redis as the checks would see it `laterMs` from now if nothing happened meanwhile: the server clock (TIME) and
// every "time since" Redis reports (XINFO CONSUMERS idle/inactive, XPENDING idle) move forward by `laterMs`,
// except `inactive` (Redis 7.2+: last read *attempt*) of consumers named as still polling, as a live service does
// on a quiet stream (its empty reads reset `inactive`, never `idle`).
// Everything else is the real server's answer. This compresses an hour of a quiet deployment into one call
// instead of waiting it out; Redis has no way to move its own clock.
import type { RedisTarget } from '../../src/checks/targets/redis.ts';

const SHIFTED_CONSUMER_FIELDS = new Set(['idle', 'inactive']);

export interface LaterOptions {
  /** Consumers that kept polling (empty reads) all along. */
  polling?: readonly string[];
}

function shiftConsumer(row: unknown, laterMs: number, polling: ReadonlySet<string>): unknown {
  if (!Array.isArray(row)) return row;
  const name = String(row[row.indexOf('name') + 1]);
  return row.map((v: unknown, i) => {
    const key = i % 2 === 1 ? String(row[i - 1]) : '';
    if (!SHIFTED_CONSUMER_FIELDS.has(key) || typeof v !== 'number') return v;
    if (key === 'inactive' && (v < 0 || polling.has(name))) return v;
    return v + laterMs;
  });
}

function shift(name: string, args: (string | number)[], reply: unknown, laterMs: number, polling: ReadonlySet<string>): unknown {
  const cmd = name.toUpperCase();
  if (cmd === 'TIME' && Array.isArray(reply)) {
    const [s, us] = reply as string[];
    return [String(Number(s) + Math.floor(laterMs / 1000)), us];
  }
  if (cmd === 'XINFO' && String(args[0]).toUpperCase() === 'CONSUMERS' && Array.isArray(reply)) {
    return (reply as unknown[]).map((row) => shiftConsumer(row, laterMs, polling));
  }
  // Extended XPENDING: [[id, consumer, idle-ms, deliveries], ...].
  if (cmd === 'XPENDING' && args.length > 2 && Array.isArray(reply)) {
    return (reply as unknown[]).map((row) => (Array.isArray(row) ? [row[0], row[1], Number(row[2]) + laterMs, row[3]] : row));
  }
  return reply;
}

export function redisLater(redis: RedisTarget, laterMs: number, opts: LaterOptions = {}): RedisTarget {
  const polling = new Set(opts.polling ?? []);
  return {
    async command(name, ...args) {
      return shift(name, args, await redis.command(name, ...args), laterMs, polling);
    },
    status: () => redis.status(),
    end: () => redis.end(),
  };
}
