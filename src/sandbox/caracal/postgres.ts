// The simulated Caracal's Postgres: a configured database, or (none configured) an embedded PGlite served over
// the Postgres wire protocol on 127.0.0.1, so the bot's unchanged pg-based checks read it like the real thing.
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { auditPartitionSql, loadCaracalSchema } from './schema.ts';

export interface CaracalPostgres {
  kind: 'pglite' | 'postgres';
  /** Where the wire protocol is served: the proxy in front of it forwards here. */
  target: { host: string; port: number };
  user: string;
  database: string;
  /** Kept out of URLs: it goes to the bot as CARACAL_POSTGRES_PASSWORD. */
  password: string | undefined;
  /** The sandbox's own connection, straight to the database (never through the proxy the faults cut). */
  query<R extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

/**
 * pglite-socket serves one connection by default; the checks' pg.Pool opens up to 4, and the bot, the tests and
 * psql may all connect at once. Every message goes through one queue in front of the single PGlite backend:
 * an explicit transaction keeps the backend until it ends, and the messages of one pg request (Parse..Sync) are
 * processed back to back because PGlite runs them without yielding to other sockets.
 */
const MAX_CONNECTIONS = 32;

function controlPool(config: pg.PoolConfig): pg.Pool {
  // One connection: the sandbox's writes stay ordered, and a single socket never interleaves with itself.
  const pool = new pg.Pool({ ...config, max: 1, idleTimeoutMillis: 0, connectionTimeoutMillis: 5000 });
  // A dropped idle connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

function wrap(
  kind: CaracalPostgres['kind'],
  pool: pg.Pool,
  parts: Omit<CaracalPostgres, 'kind' | 'query' | 'close'>,
  close: () => Promise<void>,
): CaracalPostgres {
  return {
    kind,
    ...parts,
    async query<R extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      return (await pool.query<R>(sql, params)).rows;
    },
    async close() {
      await pool.end();
      await close();
    },
  };
}

/** An in-memory PGlite with the schema, the v1.0.0 migrations and the current month + 3 audit partitions. */
async function startPglite(now: Date): Promise<CaracalPostgres> {
  const db = await PGlite.create();
  // Loaded in-process before the server starts, so nothing else can be talking to the backend yet.
  await loadCaracalSchema((sql) => db.exec(sql), now);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: MAX_CONNECTIONS });
  await server.start();
  const port = Number(server.getServerConn().split(':').pop());
  // Even the sandbox's own queries go over the socket: a direct db.query could slip between two messages of a
  // socket client's request and replace its unnamed prepared statement.
  const pool = controlPool({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  const parts = { target: { host: '127.0.0.1', port }, user: 'postgres', database: 'postgres', password: undefined };
  return wrap('pglite', pool, parts, async () => {
    await server.stop();
    await db.close();
  });
}

/**
 * A configured Postgres database, which must be dedicated to the simulated Caracal: the schema is loaded when it
 * is absent and the audit partition window completed; existing data is left alone.
 */
async function usePostgres(url: string, now: Date): Promise<CaracalPostgres> {
  const u = new URL(url);
  const pool = controlPool({ connectionString: url });
  const parts = {
    target: { host: u.hostname || '127.0.0.1', port: Number(u.port || 5432) },
    user: decodeURIComponent(u.username || 'postgres'),
    database: decodeURIComponent(u.pathname.slice(1) || 'postgres'),
    password: u.password ? decodeURIComponent(u.password) : undefined,
  };
  const store = wrap('postgres', pool, parts, () => Promise.resolve());
  try {
    const [{ present }] = await store.query<{ present: boolean }>("SELECT to_regclass('public.schema_migrations') IS NOT NULL AS present");
    if (!present) {
      await loadCaracalSchema((sql) => pool.query(sql), now);
      return store;
    }
    for (let offset = 0; offset < 4; offset++) {
      const { name, sql } = auditPartitionSql(now, offset);
      const [{ exists }] = await store.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [`public.${name}`]);
      if (!exists) await pool.query(sql);
    }
    return store;
  } catch (err) {
    await store.close();
    throw err;
  }
}

export function startCaracalPostgres(options: { url?: string | undefined; now?: Date }): Promise<CaracalPostgres> {
  const now = options.now ?? new Date();
  return options.url ? usePostgres(options.url, now) : startPglite(now);
}

/** The URL the bot gets: the proxy's address, the database's user and name, no password. */
export function botPostgresUrl(store: CaracalPostgres, proxy: { host: string; port: number }): string {
  return `postgres://${encodeURIComponent(store.user)}@${proxy.host}:${proxy.port}/${encodeURIComponent(store.database)}`;
}
