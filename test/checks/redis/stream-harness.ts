// The set-up the Redis stream check tests share: a leased Redis database of the suite's own server, emptied before
// each test, and a check context pointing at it, closed after each test.
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { SERVICE_GROUPS } from '../../fixtures/caracal-redis.ts';
import { buildContext, type TestContext } from '../../helpers/check-context.ts';
import { leaseRedisDb, type LeasedRedis } from '../../helpers/redis.ts';

export interface StreamCheckHarness {
  readonly lease: LeasedRedis;
  context(thresholds?: Record<string, number>): TestContext;
}

export function useStreamCheckHarness(): StreamCheckHarness {
  let lease: LeasedRedis | undefined;
  let tc: TestContext | undefined;
  beforeAll(async () => {
    lease = await leaseRedisDb();
  });
  afterAll(async () => {
    await lease?.release();
  });
  beforeEach(async () => {
    await lease?.client.flushdb();
  });
  afterEach(async () => {
    await tc?.close();
    tc = undefined;
  });
  return {
    get lease() {
      if (!lease) throw new Error('the Redis lease is taken in beforeAll');
      return lease;
    },
    context(thresholds = {}) {
      tc = buildContext({ caracal: { redis: { url: this.lease.url } }, thresholds });
      return tc;
    },
  };
}

export const service = (group: string) => SERVICE_GROUPS.find((g) => g.group === group)!;
