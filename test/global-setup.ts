// Starts the Redis that the whole suite uses (always its own: the tests flush its databases, so an inherited
// TEST_REDIS_URL naming someone's Redis is replaced, never used), and builds dist/
// when it is stale (the CLI and entry tests run the compiled JavaScript, as production does).
// Postgres is shared, but every test creates and drops databases with unique names (test/helpers/pg.ts).
import { execFileSync } from 'node:child_process';
import { startRedisServer, type OwnRedis } from './helpers/redis-server.ts';

let redis: OwnRedis | undefined;

export async function setup(): Promise<void> {
  execFileSync(process.execPath, ['scripts/ensure-build.mjs'], { stdio: 'inherit', cwd: new URL('..', import.meta.url).pathname });
  redis = await startRedisServer();
  // Forked test workers inherit this environment.
  process.env.TEST_REDIS_URL = redis.url;
}

export async function teardown(): Promise<void> {
  await redis?.stop();
}
