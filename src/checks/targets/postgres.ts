// Read-only access to Caracal's Postgres, with timeouts on connect and on every statement.
import pg from 'pg';
import { TargetError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { caracalPgClientConfig, describePgError } from '../../pg-connection.ts';

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
  const { config, problem: settingsProblem } = caracalPgClientConfig(options);
  const pool = new pg.Pool({
    ...config,
    max: 4,
    idleTimeoutMillis: 10_000,
    statement_timeout: options.statementTimeoutMs,
    query_timeout: options.statementTimeoutMs + 500,
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
