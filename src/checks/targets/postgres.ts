// Read-only access to Caracal's Postgres, with timeouts on connect and on every statement.
import pg from 'pg';
import { TargetError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { describePgError, describeSettingsError, pgConnectionConfig } from '../../pg-connection.ts';

export interface PostgresTarget {
  query<R extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Current pool size, for tests that prove connections return to baseline. */
  stats(): { total: number; idle: number; waiting: number };
  end(): Promise<void>;
}

export interface PostgresTargetOptions {
  url: string;
  password?: string | undefined;
  statementTimeoutMs: number;
  ssl?: boolean;
  logger?: Logger;
}

const PASSWORD_VARIABLE = 'CARACAL_POSTGRES_PASSWORD';
const describe = (err: unknown) => describePgError(err, PASSWORD_VARIABLE);

export function createPostgresTarget(options: PostgresTargetOptions): PostgresTarget {
  // Settings that cannot be built (an unreadable sslrootcert) are a finding on every query, not a crash at start.
  let settings: pg.ClientConfig = {};
  let settingsProblem: string | undefined;
  try {
    settings = pgConnectionConfig({ url: options.url, password: options.password, ssl: options.ssl });
  } catch (err) {
    settingsProblem = describeSettingsError(err);
  }
  const pool = new pg.Pool({
    ...settings,
    max: 4,
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: options.statementTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    query_timeout: options.statementTimeoutMs + 500,
    application_name: 'caracal-chatops',
    // Caracal's zone RLS: a non-owner role sees every zone only with caracal.zone_id = '*' (caracal-ops.md §2.2).
    options: '-c caracal.zone_id=*',
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', (err) => options.logger?.warn({ err: { message: describe(err) } }, 'caracal postgres idle client error'));
  return {
    async query<R extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      if (settingsProblem) throw new TargetError('postgres', `Postgres: ${settingsProblem}`);
      try {
        const result = await pool.query<R>(sql, params);
        return result.rows;
      } catch (err) {
        throw new TargetError('postgres', `Postgres: ${describe(err)}`, { cause: err });
      }
    },
    stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    end: () => pool.end(),
  };
}
