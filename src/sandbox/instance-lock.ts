// One sandbox per Redis database: the simulated Caracal empties its database at start, so a second `npm start` on
// the same one would wipe the first's streams. The first takes a lock key in its database (renewed while it runs);
// a second one moves to the next free, empty database and says so, or refuses when there is none.
// An unreachable Redis needs no lock: the sandbox then runs as in a Redis outage.
import { Redis } from 'ioredis';

export const LOCK_KEY = 'caracal-chatops:sandbox:instance';
const TTL_MS = 30_000;
const RENEW_MS = 10_000;

export interface InstanceLock {
  db: number;
  /** Said at start when the sandbox did not get the database it asked for. */
  note: string | undefined;
  /** Put the key back (the simulated Caracal's FLUSHDB at start removes it) with what the owner says about itself. */
  hold(owner: string): Promise<void>;
  release(): Promise<void>;
}

export class SandboxBusyError extends Error {}

function client(url: string, db: number): Redis {
  return new Redis(url, { db, lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null, protocol: 2 });
}

/** Lock `wanted` on the Redis at `url`, or the first empty database after it; undefined when Redis is unreachable. */
export async function lockSandboxDb(url: string, wanted: number, owner: string): Promise<InstanceLock | undefined> {
  const probe = client(url, wanted);
  try {
    await probe.connect();
  } catch {
    probe.disconnect();
    return undefined;
  }
  probe.disconnect();
  const holders: string[] = [];
  for (const db of [wanted, ...Array.from({ length: 16 }, (_, i) => i).filter((d) => d > wanted)]) {
    const c = client(url, db);
    await c.connect();
    // Another database is only taken when it holds nothing: the sandbox empties the one it uses.
    const free = db === wanted || (await c.dbsize()) === 0;
    const got = free && (await c.set(LOCK_KEY, owner, 'PX', TTL_MS, 'NX')) === 'OK';
    if (!got) {
      if (db === wanted) holders.push((await c.get(LOCK_KEY)) ?? 'another sandbox');
      c.disconnect();
      continue;
    }
    let value = owner;
    const timer = setInterval(() => void c.set(LOCK_KEY, value, 'PX', TTL_MS).catch(() => undefined), RENEW_MS);
    timer.unref();
    return {
      db,
      note: db === wanted ? undefined : `Redis database ${wanted} is in use by ${holders[0]}; this sandbox uses database ${db}.`,
      async hold(next) {
        value = next;
        await c.set(LOCK_KEY, value, 'PX', TTL_MS);
      },
      async release() {
        clearInterval(timer);
        if ((await c.get(LOCK_KEY).catch(() => null)) === value) await c.del(LOCK_KEY).catch(() => undefined);
        c.disconnect();
      },
    };
  }
  throw new SandboxBusyError(
    `Redis database ${wanted} is in use by ${holders[0] ?? 'another sandbox'}, and no empty database after it is free. Stop the other sandbox or set SANDBOX_REDIS_URL.`,
  );
}
