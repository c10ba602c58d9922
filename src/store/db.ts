// The bot's own state database: Postgres through `pg`, or an embedded PGlite when no URL is configured.
// Both run the same migrations and the same SQL. Never Caracal's database.
import pg from 'pg';
import { pgConnectionConfig } from '../pg-connection.ts';

export interface Queryable {
  query<R extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number }>;
  /** Run a script of several statements (migrations), without parameters. */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Run `fn` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Run several reads on one consistent snapshot (a run and its gates, votes and checks as of one instant). */
  snapshot<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Connections of their own for the statements a Slack ack waits for (the request inbox): decisions hold the
   * pool's connections while they wait for a run's lock, and a save queued behind them held up the acks of a burst.
   */
  readonly forAcks: Queryable;
  close(): Promise<void>;
}

/** `password` (STATE_DATABASE_PASSWORD) wins over the URL's; `sslmode` / `sslrootcert` in the URL set TLS. */
export function postgresDb(url: string, options: { max?: number; password?: string | undefined; onError?: (err: Error) => void } = {}): Db {
  const settings = pgConnectionConfig({ url, password: options.password });
  const pool = new pg.Pool({ ...settings, max: options.max ?? 10, application_name: 'caracal-chatops-state' });
  const ackPool = new pg.Pool({ ...settings, max: 2, application_name: 'caracal-chatops-state-acks' });
  // An idle client's error (the server restarted, a network cut) must not crash the process; it is logged, and
  // the next query gets a fresh connection.
  for (const p of [pool, ackPool]) p.on('error', (err) => options.onError?.(err));
  const wrap = (c: pg.Pool | pg.PoolClient): Queryable => ({
    async query<R extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      const res = await c.query<R>(sql, params);
      return { rows: res.rows, rowCount: res.rowCount ?? 0 };
    },
    async exec(sql: string) {
      await c.query(sql);
    },
  });
  return {
    kind: 'postgres',
    ...wrap(pool),
    transaction: (fn) => inTransaction('BEGIN', fn),
    snapshot: (fn) => inTransaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn),
    forAcks: wrap(ackPool),
    close: async () => {
      await Promise.all([pool.end(), ackPool.end()]);
    },
  };

  async function inTransaction<T>(begin: string, fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query(begin);
      const result = await fn(wrap(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}

export async function pgliteDb(dataDir?: string): Promise<Db> {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(dataDir ? { dataDir } : {});
  const wrap = (c: { query: typeof db.query; exec: typeof db.exec }): Queryable => ({
    async query<R extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      const res = await c.query<R>(sql, params);
      return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
    },
    async exec(sql: string) {
      await c.exec(sql);
    },
  });
  const queryable = wrap(db);
  return {
    kind: 'pglite',
    ...queryable,
    forAcks: queryable, // one connection: the ack path shares it
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    // PGlite has one connection and runs transactions one at a time: every transaction is a consistent snapshot.
    snapshot: (fn) => db.transaction((tx) => fn(wrap(tx))),
    close: () => db.close(),
  };
}
