// "The sandbox stays green for an hour on Redis 7.0 with no fault", without waiting an hour: the simulated
// deployment runs as `npm start` runs it, and the checks read its Redis as it will be an hour later with nothing
// happening (test/helpers/redis-later.ts): every idle time an hour older, the server clock an hour on, the
// services' consumers still polling. Before the fix, redis.streams (now redis.backlog) warned about 2 minutes into that hour.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulatedCaracal, type SimulatedCaracal } from '../../../src/sandbox/caracal/index.ts';
import { LIVE_GROUPS } from '../../../src/sandbox/caracal/redis.ts';
import type { TestContext } from '../../helpers/check-context.ts';
import { redisLater } from '../../helpers/redis-later.ts';
import { leaseRedisDb, REDIS_HOST_URL, type LeasedRedis } from '../../helpers/redis.ts';
import { expectShows, runAll, sandboxContext } from './harness.ts';

const MINUTE = 60_000;

describe('the sandbox with no fault, over an hour', () => {
  let redis: LeasedRedis;
  let sim: SimulatedCaracal;
  let t: TestContext;

  beforeAll(async () => {
    redis = await leaseRedisDb();
    sim = await startSimulatedCaracal({ redisUrl: REDIS_HOST_URL, redisDb: redis.db, syncIntervalMs: 500 });
    t = sandboxContext(sim);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await sim?.close();
    await redis?.release();
  });

  it.each([3, 10, 30, 60].map((m) => [m]))('is green %i minutes after start', async (minutes) => {
    const polling = LIVE_GROUPS.flatMap((g) => (g.consumer ? [g.consumer] : []));
    const later = { ...t.ctx, redis: redisLater(t.ctx.redis!, minutes * MINUTE, { polling }) };
    const results = await runAll(later);
    expectShows(results, [], `${minutes} min later`);
    expect(results.get('redis.backlog')?.summary).toMatch(/Redis \d+\.\d+/);
  });
});
