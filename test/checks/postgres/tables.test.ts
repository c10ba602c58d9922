import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARACAL_TABLES, postgresTables } from '../../../src/checks/postgres/tables.ts';
import { buildContext, runOne, type TestContext } from '../../helpers/check-context.ts';
import { createTempDatabase, type TempDatabase } from '../../helpers/pg.ts';
import { auditPartitionName, loadCaracalSchema, monthStartUtc } from '../../fixtures/caracal-db.ts';

// A fixed clock, so the expected partition window never straddles a month boundary mid-test.
const NOW = new Date('2026-08-22T12:00:00Z');

describe('postgres.tables', () => {
  let db: TempDatabase;
  const contexts: TestContext[] = [];
  const contextAt = (now: Date): TestContext => {
    const t = buildContext({ caracal: { postgres: { url: db.url } } }, {}, { now: () => now });
    contexts.push(t);
    return t;
  };

  beforeAll(async () => {
    db = await createTempDatabase('pgtab');
    await loadCaracalSchema(db, NOW);
  });
  afterAll(async () => {
    await Promise.all(contexts.map((t) => t.close()));
    await db.drop();
  });

  it('lists the 45 baseline tables', () => {
    expect(new Set(CARACAL_TABLES).size).toBe(45);
  });

  it('passes on a complete v1.0.0 schema with the partition window of the current month', async () => {
    const result = await runOne(postgresTables, contextAt(NOW).ctx);
    expect(result.status).toBe('pass');
    expect(result.metrics).toMatchObject({
      expectedTables: 45,
      missingTables: 0,
      retiredPresent: 0,
      missingPartitions: 0,
    });
    // 45 tables + schema_migrations + 4 monthly partitions.
    expect(result.metrics.publicTables).toBe(50);
    expect(result.evidence).toContain(
      'audit partitions expected: ' + 'audit_events_y2026m08, audit_events_y2026m09, audit_events_y2026m10, audit_events_y2026m11',
    );
  });

  it('fails listing a dropped table', async () => {
    await db.exec('ALTER TABLE public.zones RENAME TO zones_elsewhere');
    await db.exec('DROP TABLE public.sts_rate_limit');
    try {
      const result = await runOne(postgresTables, contextAt(NOW).ctx);
      expect(result.status).toBe('fail');
      expect(result.summary).toBe('2 Caracal tables missing: sts_rate_limit, zones.');
      expect(result.metrics.missingTables).toBe(2);
      expect(result.matrix).toEqual(['postgres']);
    } finally {
      await db.exec('ALTER TABLE public.zones_elsewhere RENAME TO zones');
      await db.exec('CREATE TABLE public.sts_rate_limit (key text PRIMARY KEY)');
    }
  });

  it('warns when a retired table is present', async () => {
    await db.exec('CREATE TABLE public.teams (id text PRIMARY KEY)');
    try {
      const result = await runOne(postgresTables, contextAt(NOW).ctx);
      expect(result.status).toBe('warn');
      expect(result.summary).toBe('All baseline tables present, but retired tables present: teams.');
      expect(result.metrics.retiredPresent).toBe(1);
    } finally {
      await db.exec('DROP TABLE public.teams');
    }
  });

  it('warns when the partition window has moved past the existing partitions', async () => {
    // Two months later the window is Oct 2026 .. Jan 2027, and only Oct and Nov exist.
    const result = await runOne(postgresTables, contextAt(monthStartUtc(NOW, 2)).ctx);
    expect(result.status).toBe('warn');
    expect(result.summary).toContain('audit partitions missing: audit_events_y2026m12, audit_events_y2027m01');
    expect(result.metrics.missingPartitions).toBe(2);
    expect(result.remedy).toContain('audit_partition_ensure');
  });

  it('warns when a partition exists but is detached from audit_events', async () => {
    const name = auditPartitionName(monthStartUtc(NOW, 1));
    await db.exec(`ALTER TABLE public.audit_events DETACH PARTITION public.${name}`);
    try {
      const result = await runOne(postgresTables, contextAt(NOW).ctx);
      expect(result.status).toBe('warn');
      expect(result.summary).toContain(`audit partitions missing: ${name}`);
    } finally {
      await db.exec(
        `ALTER TABLE public.audit_events ATTACH PARTITION public.${name} ` +
          `FOR VALUES FROM ('${monthStartUtc(NOW, 1).toISOString()}') TO ('${monthStartUtc(NOW, 2).toISOString()}')`,
      );
    }
  });

  it('does not look for the tables only the old docs name', async () => {
    const result = await runOne(postgresTables, contextAt(NOW).ctx);
    expect(result.status).toBe('pass');
    const said = [result.summary, ...result.evidence].join('\n');
    for (const t of ['provider_grants', 'application_dependencies', 'resource_rate_limits']) {
      expect(said).not.toContain(t);
    }
  });
});
