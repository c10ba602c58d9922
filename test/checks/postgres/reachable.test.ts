import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresReachable } from '../../../src/checks/postgres/reachable.ts';
import { buildContext, runOne, type TestContext } from '../../helpers/check-context.ts';
import { closedPort } from '../../helpers/faults.ts';
import { createTempDatabase, type TempDatabase } from '../../helpers/pg.ts';

describe('postgres.reachable', () => {
  let db: TempDatabase;
  const contexts: TestContext[] = [];
  const context = (file: Record<string, unknown>): TestContext => {
    const t = buildContext(file);
    contexts.push(t);
    return t;
  };

  beforeAll(async () => {
    db = await createTempDatabase('pgreach');
  });
  afterAll(async () => {
    await Promise.all(contexts.map((t) => t.close()));
    await db.drop();
  });

  it('passes with the latency and server version of a live Postgres', async () => {
    const { ctx } = context({ caracal: { postgres: { url: db.url } } });
    const result = await runOne(postgresReachable, ctx);
    const [{ server_version: version }] = (await db.exec('SHOW server_version')).rows as { server_version: string }[];
    expect(result.status).toBe('pass');
    expect(result.metrics.serverVersion).toBe(version);
    expect(result.metrics.latencyMs).toEqual(expect.any(Number));
    expect(result.metrics.latencyMs as number).toBeLessThan(500);
    expect(result.summary).toContain(version);
    expect(result.evidence).toContain(`target: 127.0.0.1:5432/${db.name}`);
    expect(result.evidence.join('\n')).not.toContain('postgres@');
  });

  it('warns when SELECT 1 is slower than the latency threshold', async () => {
    const { ctx } = context({ caracal: { postgres: { url: db.url } }, thresholds: { postgresLatencyWarnMs: 0.001 } });
    const result = await runOne(postgresReachable, ctx);
    expect(result.status).toBe('warn');
    expect(result.summary).toMatch(/slowly: SELECT 1 took [\d.]+ ms \(warn above 0\.001 ms\)/);
    expect(result.matrix).toEqual(['postgres']);
  });

  it('fails, naming the config key, when Postgres is not configured', async () => {
    const { ctx } = context({});
    const result = await runOne(postgresReachable, ctx);
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('caracal.postgres.url');
    expect(result.summary).toContain('cannot be checked');
  });

  it('fails with the postgres matrix row when connections are refused', async () => {
    const port = await closedPort();
    const { ctx } = context({ caracal: { postgres: { url: `postgres://postgres@127.0.0.1:${port}/x` } } });
    const result = await runOne(postgresReachable, ctx);
    expect(result.status).toBe('fail');
    expect(result.summary).toBe('Postgres is unreachable: connection refused.');
    expect(result.matrix).toEqual(['postgres']);
    expect(result.evidence).toEqual([`target: 127.0.0.1:${port}/x`]);
  });

  it('fails when the database does not exist', async () => {
    const { ctx } = context({ caracal: { postgres: { url: `${db.url}_nope` } } });
    const result = await runOne(postgresReachable, ctx);
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('does not exist');
  });
});
