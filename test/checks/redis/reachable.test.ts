import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { redisReachable } from '../../../src/checks/redis/reachable.ts';
import { buildContext, runOne, type TestContext } from '../../helpers/check-context.ts';
import { leaseRedisDb, type LeasedRedis } from '../../helpers/redis.ts';
import { startRedisServer, type OwnRedis } from '../../helpers/redis-server.ts';

async function startRedis(args: string[]): Promise<OwnRedis> {
  const own = await startRedisServer(args);
  return { ...own, url: `${own.url}/0` };
}

let tc: TestContext | undefined;
let own: OwnRedis | undefined;

async function check(url: string, redis: Record<string, unknown> = {}) {
  tc = buildContext({ caracal: { redis: { url, ...redis } } });
  return runOne(redisReachable, tc.ctx);
}

afterEach(async () => {
  await tc?.close();
  tc = undefined;
  await own?.stop();
  own = undefined;
});

describe('redis.reachable', () => {
  it('passes on a Redis configured as Caracal requires', async () => {
    own = await startRedis(['--maxmemory-policy', 'noeviction', '--appendonly', 'yes']);
    const result = await check(own.url);
    expect(result.status).toBe('pass');
    expect(result.metrics).toMatchObject({ maxmemoryPolicy: 'noeviction', appendonly: 'yes' });
    expect(result.metrics.redisVersion).toMatch(/^7\./);
    expect(result.metrics.usedMemoryBytes).toBeGreaterThan(0);
    expect(result.evidence[0]).toMatch(/^PING answered PONG in \d+ ms\.$/);
  });

  it('warns when maxmemory-policy lets Redis evict stream entries', async () => {
    own = await startRedis(['--maxmemory-policy', 'allkeys-lru', '--appendonly', 'yes']);
    const result = await check(own.url);
    expect(result.status).toBe('warn');
    expect(result.summary).toContain('maxmemory-policy is allkeys-lru, not noeviction');
    expect(result.summary).not.toContain('appendonly');
    expect(result.remedy).toContain('noeviction');
    expect(result.metrics.maxmemoryPolicy).toBe('allkeys-lru');
  });

  it('warns when AOF is off', async () => {
    own = await startRedis(['--maxmemory-policy', 'noeviction', '--appendonly', 'no']);
    const result = await check(own.url);
    expect(result.status).toBe('warn');
    expect(result.summary).toContain('appendonly is not yes');
    expect(result.metrics.appendonly).toBe('no');
  });

  it('passes with AOF off only when requireAppendonly is false, and says so in the evidence', async () => {
    own = await startRedis(['--maxmemory-policy', 'noeviction', '--appendonly', 'no']);
    const result = await check(own.url, { requireAppendonly: false });
    expect(result.status).toBe('pass');
    expect(result.summary).toContain('appendonly no');
    expect(result.evidence).toContain('appendonly no accepted: caracal.redis.requireAppendonly is false.');
    await tc?.close();
    await own.stop();
    own = await startRedis(['--maxmemory-policy', 'allkeys-lru', '--appendonly', 'no']);
    expect((await check(own.url, { requireAppendonly: false })).status).toBe('warn');
  });

  it('still verifies both settings through INFO when CONFIG is renamed away', async () => {
    own = await startRedis(['--maxmemory-policy', 'volatile-lru', '--appendonly', 'yes', '--rename-command', 'CONFIG', '']);
    const result = await check(own.url);
    expect(result.status).toBe('warn');
    expect(result.summary).toContain('maxmemory-policy is volatile-lru');
    expect(result.metrics).toMatchObject({ maxmemoryPolicy: 'volatile-lru', appendonly: 'yes' });
  });

  it('warns "could not verify", never passes, when CONFIG and INFO are both refused', async () => {
    own = await startRedis([
      '--maxmemory-policy',
      'noeviction',
      '--appendonly',
      'yes',
      '--rename-command',
      'CONFIG',
      '',
      '--user',
      'default',
      'on',
      'nopass',
      '~*',
      '&*',
      '+@all',
      '-info',
    ]);
    // ioredis says on the console that it skips its INFO ready check; that is the situation under test.
    const quiet = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const result = await check(own.url).finally(() => quiet.mockRestore());
    expect(result.status).toBe('warn');
    expect(result.summary).toContain('could not verify maxmemory-policy and appendonly');
    expect(result.evidence).toContain('INFO was refused (ACL or renamed command): version and memory unknown.');
    expect(result.metrics).toMatchObject({ maxmemoryPolicy: null, appendonly: null, redisVersion: null });
  });

  it('fails with the matrix row when the Redis it checked goes away', async () => {
    own = await startRedis(['--maxmemory-policy', 'noeviction', '--appendonly', 'yes']);
    const url = own.url;
    await own.stop();
    own = undefined;
    const result = await check(url);
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('Redis PING');
    expect(result.matrix).toEqual(['redis']);
  });
});

describe('redis.reachable on the shared test Redis', () => {
  let lease: LeasedRedis;
  beforeAll(async () => {
    lease = await leaseRedisDb();
  });
  afterAll(async () => {
    await lease.release();
  });

  it('answers, whatever that server is configured with', async () => {
    const result = await check(lease.url);
    expect(['pass', 'warn']).toContain(result.status);
    expect(typeof result.metrics.pingMs).toBe('number');
  });
});
