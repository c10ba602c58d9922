// A migrated state database of its own per test file: a temporary database on the real local Postgres.
import { postgresDb, type Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createTempDatabase } from './pg.ts';

export async function testStateDb(): Promise<{ db: Db; drop: () => Promise<void> }> {
  const temp = await createTempDatabase('state');
  const db = postgresDb(temp.url);
  await migrate(db);
  return {
    db,
    drop: async () => {
      await db.close().catch(() => undefined); // a test may have closed it on purpose
      await temp.drop();
    },
  };
}
