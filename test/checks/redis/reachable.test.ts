import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { redisReachable } from '../../../src/checks/redis/reachable.ts';
import { buildContext, runOne, type TestContext } from '../../helpers/check-context.ts';
import { closedPort } from '../../helpers/faults.ts';
import { leaseRedisDb, type LeasedRedis } from '../../helpers/redis.ts';

/** A private redis-server with the settings under test; the shared one's settings are not ours to change. */
interface OwnRedis {
  url: string;
  stop(): Promise<void>;
}

async function startRedis(args: string[]): Promise<OwnRedis> {
  const port = await closedPort();
  const dir = await mkdtemp(join(tmpdir(), 'cc-redis-'));
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, ...args],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, enableReadyCheck: false, retryStrategy: () => null });
  probe.on('error', () => undefined); // refusals while the server starts are expected; connect() reports them
  try {
    for (let i = 0; ; i++) {
      try {
        await probe.connect();
        await probe.ping();
        break;
      } catch (err) {
        probe.disconnect();
        if (i > 50) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (err) {
    await stop();
    throw err;
  } finally {
    probe.disconnect();
  }
  return { url: `redis://127.0.0.1:${port}/0`, stop };
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
      '--maxmemory-policy', 'noeviction', '--appendonly', 'yes', '--rename-command', 'CONFIG', '',
      '--user', 'default', 'on', 'nopass', '~*', '&*', '+@all', '-info',
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
