// A leased logical Redis database per test file (db 1..15) on the suite's own redis-server (test/global-setup.ts),
// flushed on lease and release. TEST_REDIS_URL is set by that setup (or by `npm run bench` to a server of its own).
import { Redis } from 'ioredis';

function redisHostUrl(): string {
  const url = process.env.TEST_REDIS_URL;
  if (!url) throw new Error('TEST_REDIS_URL is unset: run the tests through vitest, whose global setup starts a Redis');
  return url;
}
export const REDIS_HOST_URL = redisHostUrl();
/** The suite's own server always names its port (a free one, chosen at start). */
export const REDIS_HOST_PORT = Number(new URL(REDIS_HOST_URL).port);

export interface LeasedRedis {
  url: string;
  db: number;
  client: Redis;
  release(): Promise<void>;
}

export async function leaseRedisDb(): Promise<LeasedRedis> {
  const control = new Redis(`${REDIS_HOST_URL}/0`, { protocol: 2, lazyConnect: true });
  await control.connect();
  try {
    for (let attempt = 0; attempt < 600; attempt++) {
      for (let db = 1; db <= 15; db++) {
        const ok = await control.set(`caracal-chatops:test-lease:${db}`, String(process.pid), 'PX', 300_000, 'NX');
        if (ok === 'OK') {
          const url = `${REDIS_HOST_URL}/${db}`;
          const client = new Redis(url, { protocol: 2 });
          await client.flushdb();
          return {
            url,
            db,
            client,
            async release() {
              await client.flushdb();
              client.disconnect();
              const c = new Redis(`${REDIS_HOST_URL}/0`, { protocol: 2 });
              await c.del(`caracal-chatops:test-lease:${db}`);
              c.disconnect();
            },
          };
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('no free Redis test database after 60 s');
  } finally {
    control.disconnect();
  }
}
