// Starts the Redis that the whole suite uses (unless TEST_REDIS_URL names one the tests may flush).
// Postgres is shared, but every test creates and drops databases with unique names (test/helpers/pg.ts).
import { startRedisServer, type OwnRedis } from './helpers/redis-server.ts';

let redis: OwnRedis | undefined;

export async function setup(): Promise<void> {
  if (process.env.TEST_REDIS_URL) return;
  redis = await startRedisServer();
  // Forked test workers inherit this environment.
  process.env.TEST_REDIS_URL = redis.url;
}

export async function teardown(): Promise<void> {
  await redis?.stop();
}
