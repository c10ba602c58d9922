// Every Postgres check must answer `fail` (a verdict), never `error` or a hang, when Postgres is down or silent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresReachable } from '../../../src/checks/postgres/reachable.ts';
import { postgresMigrations } from '../../../src/checks/postgres/migrations.ts';
import { postgresTables } from '../../../src/checks/postgres/tables.ts';
import { outboxApi } from '../../../src/checks/postgres/outbox-api.ts';
import { outboxCoordinator } from '../../../src/checks/postgres/outbox-coordinator.ts';
import { buildContext, runOne, type TestContext } from '../../helpers/check-context.ts';
import { blackHole, closedPort } from '../../helpers/faults.ts';

const CHECKS = [postgresReachable, postgresMigrations, postgresTables, outboxApi, outboxCoordinator];

describe.each(CHECKS)('$id under faults', (check) => {
  let hole: Awaited<ReturnType<typeof blackHole>>;
  const contexts: TestContext[] = [];
  const context = (file: Record<string, unknown>): TestContext => {
    const t = buildContext(file);
    contexts.push(t);
    return t;
  };

  beforeAll(async () => {
    hole = await blackHole();
  });
  afterAll(async () => {
    // Sockets first, so pools waiting on the black hole see their connections end.
    await hole.close();
    await Promise.all(contexts.map((t) => t.close()));
  });

  it('fails when Postgres refuses connections', async () => {
    const port = await closedPort();
    const { ctx } = context({ caracal: { postgres: { url: `postgres://postgres@127.0.0.1:${port}/caracal` } } });
    const result = await runOne(check, ctx, 3000);
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('connection refused');
    expect(result.durationMs).toBeLessThan(3000);
  });

  it('fails within its timeout when Postgres accepts but never answers', async () => {
    const { ctx } = context({
      caracal: { postgres: { url: `postgres://postgres@127.0.0.1:${hole.port}/caracal`, statementTimeoutMs: 300 } },
    });
    const result = await runOne(check, ctx, 2000);
    expect(result.status).toBe('fail');
    expect(result.summary).not.toContain('No answer within');
    expect(result.durationMs).toBeLessThan(2000 + 1000);
  });

  it("fails on the executor's deadline when Postgres's own timeouts are longer", async () => {
    const { ctx } = context({
      caracal: { postgres: { url: `postgres://postgres@127.0.0.1:${hole.port}/caracal`, statementTimeoutMs: 10_000 } },
    });
    const result = await runOne(check, ctx, 500);
    expect(result.status).toBe('fail');
    expect(result.summary).toBe('No answer within 500 ms: the target is unreachable or stalled.');
    expect(result.durationMs).toBeLessThan(500 + 1000);
  });

  it('fails, naming the config key, when Postgres is not configured', async () => {
    const { ctx } = context({});
    const result = await runOne(check, ctx);
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('caracal.postgres.url');
    expect(result.summary).toContain('cannot be checked');
  });
});
