// The Redis checks when there is no Redis to read: each is a `fail` value with a reason, never an `error`.
import { afterEach, describe, expect, it } from 'vitest';
import { auditDlq } from '../../../src/checks/redis/audit-dlq.ts';
import { redisReachable } from '../../../src/checks/redis/reachable.ts';
import { redisStreams } from '../../../src/checks/redis/streams.ts';
import { redisBacklog } from '../../../src/checks/redis/backlog.ts';
import { redisDeadStreams } from '../../../src/checks/redis/dead-streams.ts';
import { buildContext, runOne, type TestContext } from '../../helpers/check-context.ts';
import { blackHole, closedPort } from '../../helpers/faults.ts';

const CHECKS = [redisReachable, redisStreams, redisBacklog, redisDeadStreams, auditDlq];
let tc: TestContext | undefined;
let closeHole: (() => Promise<void>) | undefined;

afterEach(async () => {
  await tc?.close();
  tc = undefined;
  await closeHole?.();
  closeHole = undefined;
});

describe.each(CHECKS.map((c) => [c.id, c] as const))('%s without a reachable Redis', (_id, check) => {
  it('fails, naming caracal.redis.url, when Redis is not configured', async () => {
    tc = buildContext({});
    const result = await runOne(check, tc.ctx);
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('caracal.redis.url');
    expect(result.remedy).toContain('caracal.redis.url');
  });

  it('fails promptly, with the redis matrix row, when the connection is refused', async () => {
    const port = await closedPort();
    tc = buildContext({ caracal: { redis: { url: `redis://127.0.0.1:${port}` } } });
    const result = await runOne(check, tc.ctx);
    expect(result.status).toBe('fail');
    expect(result.summary).toMatch(/^Could not read Caracal's Redis \(Redis (PING|XINFO|XLEN): .+\)$/);
    expect(result.matrix).toEqual(['redis']);
    expect(result.durationMs).toBeLessThan(1000);
  });

  it('fails within the check timeout when Redis accepts and never answers', async () => {
    const hole = await blackHole();
    closeHole = () => hole.close();
    tc = buildContext({ caracal: { redis: { url: `redis://127.0.0.1:${hole.port}` } } });
    const result = await runOne(check, tc.ctx, 800);
    expect(result.status).toBe('fail');
    expect(result.summary).toMatch(/800 ms|timed out|timeout/i);
    expect(result.durationMs).toBeLessThan(1500);
  });
});
