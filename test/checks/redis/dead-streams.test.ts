import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { redisDeadStreams } from '../../../src/checks/redis/dead-streams.ts';
import { buildContext, runOne, type TestContext } from '../../helpers/check-context.ts';
import { leaseRedisDb, type LeasedRedis } from '../../helpers/redis.ts';
import {
  SERVICE_GROUPS,
  addDeadLetters,
  drain,
  gatewayGroup,
  provisionCaracalStreams,
} from '../../fixtures/caracal-redis.ts';

let lease: LeasedRedis;
let tc: TestContext | undefined;

const service = (group: string) => SERVICE_GROUPS.find((g) => g.group === group)!;

function context(thresholds: Record<string, number> = {}): TestContext {
  tc = buildContext({ caracal: { redis: { url: lease.url } }, thresholds });
  return tc;
}

beforeAll(async () => {
  lease = await leaseRedisDb();
});
afterAll(async () => {
  await lease.release();
});
beforeEach(async () => {
  await lease.client.flushdb();
});
afterEach(async () => {
  await tc?.close();
  tc = undefined;
});

describe('redis.dead-streams (Evidence)', () => {
  it('warns when a dead-letter stream holds messages', async () => {
    await provisionCaracalStreams(lease.client);
    await addDeadLetters(lease.client, 'caracal.sessions.revoke', 2);
    await drain(lease.client, service('sts-revocation'));
    await drain(lease.client, gatewayGroup('gateway-0'));
    const result = await runOne(redisDeadStreams, context().ctx);
    expect(result.status).toBe('warn');
    expect(result.summary).toContain('caracal.sessions.revoke.dead holds 2 dead-lettered messages');
    expect(result.metrics['caracal.sessions.revoke.dead.length']).toBe(2);
    expect(result.remedy).toMatch(/never retried/);
  });


  it('passes when every dead-letter stream is empty or absent, and is on Evidence only', async () => {
    await provisionCaracalStreams(lease.client);
    const result = await runOne(redisDeadStreams, context().ctx);
    expect(result.status).toBe('pass');
    expect(result.metrics['caracal.sessions.revoke.dead.length']).toBe(0);
    expect(redisDeadStreams.gates).toEqual(['evidence']);
  });
});
