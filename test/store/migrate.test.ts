import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgliteDb, postgresDb, type Db } from '../../src/store/db.ts';
import { migrate, migrationFiles } from '../../src/store/migrate.ts';
import { createTempDatabase, type TempDatabase } from '../helpers/pg.ts';

const TABLES = ['runs', 'gates', 'gate_checks', 'approvals', 'events', 'deliveries', 'reports', 'baselines'];

async function tables(db: Db): Promise<string[]> {
  return (await db.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'`)).rows.map((r) => r.t);
}

describe('migrations', () => {
  let temp: TempDatabase;
  beforeAll(async () => {
    temp = await createTempDatabase('mig');
  });
  afterAll(async () => {
    await temp.drop();
  });

  it('are numbered files applied once, even by replicas starting together (Postgres)', async () => {
    const a = postgresDb(temp.url);
    const b = postgresDb(temp.url);
    const [x, y] = await Promise.all([migrate(a), migrate(b)]);
    const versions = migrationFiles().map((f) => f.version);
    expect([...x, ...y].sort()).toEqual(versions);
    expect(await migrate(a)).toEqual([]);
    expect(await tables(a)).toEqual(expect.arrayContaining([...TABLES, 'chatops_migrations']));
    await Promise.all([a.close(), b.close()]);
  });

  it('run the same SQL on embedded PGlite, persisting in its data directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pglite-'));
    const lite = await pgliteDb(dir);
    expect(await migrate(lite)).toEqual(migrationFiles().map((f) => f.version));
    await lite.query(`INSERT INTO baselines (key, value, at) VALUES ('k', 1, now())`);
    await lite.close();
    const again = await pgliteDb(dir);
    expect(await migrate(again)).toEqual([]);
    expect((await again.query<{ n: number }>('SELECT count(*)::int AS n FROM baselines')).rows[0].n).toBe(1);
    expect(await tables(again)).toEqual(expect.arrayContaining(TABLES));
    await again.close();
  }, 60_000);
});
