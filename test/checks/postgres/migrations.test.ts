import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { postgresMigrations } from '../../../src/checks/postgres/migrations.ts';
import { buildContext, runOne, type TestContext } from '../../helpers/check-context.ts';
import { createTempDatabase, type TempDatabase } from '../../helpers/pg.ts';
import { loadCaracalSchema, V1_MIGRATIONS } from '../../fixtures/caracal-db.ts';

describe('postgres.migrations', () => {
  let db: TempDatabase;
  let t: TestContext;

  beforeAll(async () => {
    db = await createTempDatabase('pgmig');
    await loadCaracalSchema(db);
    t = buildContext({ caracal: { postgres: { url: db.url } } });
  });
  afterEach(async () => {
    // Every case starts from what v1.0.0's migration job leaves behind.
    await db.exec('DELETE FROM public.schema_migrations WHERE NOT (version = ANY($1::text[]))', [[...V1_MIGRATIONS]]);
    await db.exec('INSERT INTO public.schema_migrations (version) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [[...V1_MIGRATIONS]]);
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  it('passes when exactly the v1.0.0 migrations are applied', async () => {
    const result = await runOne(postgresMigrations, t.ctx);
    expect(result.status).toBe('pass');
    expect(result.metrics).toMatchObject({ applied: 3, expected: 3, missing: 0, newer: 0 });
    expect(result.metrics.latest).toBe('0003_operator_run_token_usage');
    expect(result.evidence.filter((e) => e.startsWith('applied: '))).toHaveLength(3);
  });

  it('fails naming the expected version that is missing', async () => {
    await db.exec("DELETE FROM public.schema_migrations WHERE version = '0002_approval_hardening'");
    const result = await runOne(postgresMigrations, t.ctx);
    expect(result.status).toBe('fail');
    expect(result.summary).toBe('Expected migration missing: 0002_approval_hardening.');
    expect(result.metrics.missing).toBe(1);
    expect(result.matrix).toEqual(['postgres']);
  });

  it('fails when a version is missing even if a newer one is present', async () => {
    await db.exec("DELETE FROM public.schema_migrations WHERE version = '0003_operator_run_token_usage'");
    await db.exec("INSERT INTO public.schema_migrations (version) VALUES ('0004_future_change')");
    const result = await runOne(postgresMigrations, t.ctx);
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('0003_operator_run_token_usage');
  });

  it('warns to roll forward when the schema has a newer migration', async () => {
    await db.exec("INSERT INTO public.schema_migrations (version) VALUES ('0004_future_change')");
    const result = await runOne(postgresMigrations, t.ctx);
    expect(result.status).toBe('warn');
    expect(result.summary).toMatch(/^Schema moved forward: roll forward, do not roll back/);
    expect(result.summary).toContain('0004_future_change');
    expect(result.metrics).toMatchObject({ applied: 4, newer: 1, latest: '0004_future_change' });
    expect(result.remedy).toContain('rollback does not reverse migrations');
  });

  it('judges against caracal.expectedMigrations (a v0.2.1 bot sees v1.0.0 as newer)', async () => {
    const old = buildContext({
      caracal: { postgres: { url: db.url }, expectedMigrations: ['0001_baseline', '0002_approval_hardening'] },
    });
    try {
      const result = await runOne(postgresMigrations, old.ctx);
      expect(result.status).toBe('warn');
      expect(result.summary).toContain('newer than expected: 0003_operator_run_token_usage');
    } finally {
      await old.close();
    }
  });

  it('warns about an unknown version that is not newer', async () => {
    await db.exec("INSERT INTO public.schema_migrations (version) VALUES ('0002_hotfix')");
    const result = await runOne(postgresMigrations, t.ctx);
    expect(result.status).toBe('warn');
    expect(result.summary).toBe('Unexpected migration versions applied: 0002_hotfix.');
  });

  it('fails when schema_migrations does not exist', async () => {
    await db.exec('ALTER TABLE public.schema_migrations RENAME TO schema_migrations_gone');
    try {
      const result = await runOne(postgresMigrations, t.ctx);
      expect(result.status).toBe('fail');
      expect(result.summary).toBe('public.schema_migrations does not exist: Caracal migrations never ran on this database.');
    } finally {
      await db.exec('ALTER TABLE public.schema_migrations_gone RENAME TO schema_migrations');
    }
  });
});
