// A throwaway database per test file on the real local Postgres, so files can run in parallel. TEST_PG_URL names a
// role that may CREATE DATABASE (default: postgres on 127.0.0.1:5432); every database made here has a unique name
// and is dropped, so nothing that exists there is touched.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TempDatabase {
  url: string;
  name: string;
  /** Run SQL as the owner (fixtures, mutations between cases). */
  exec(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
  drop(): Promise<void>;
}

export async function createTempDatabase(prefix = 'cc'): Promise<TempDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  const pool = new pg.Pool({ connectionString: url, max: 2, application_name: 'fixture' });
  // pool.end() resolves before its clients have closed, so DROP … WITH (FORCE) can terminate one mid-close (57P01).
  pool.on('error', () => undefined);
  return {
    url,
    name,
    exec: (sql, params) => pool.query(sql, params),
    async drop() {
      await pool.end();
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
