// What the Postgres checks share: running only when Postgres is configured, and reading a SQLSTATE off a TargetError.
import { TargetError } from '../../errors.ts';
import type { PostgresTarget } from '../targets/postgres.ts';
import type { CheckContext, CheckOutcome } from '../types.ts';

/**
 * When no URL is configured: a check that cannot run is a failure, never a pass (product.md §1). The audit
 * chain verification answers with it too.
 */
export const POSTGRES_NOT_CONFIGURED: CheckOutcome = {
  status: 'fail',
  summary: "Caracal's Postgres is not configured (caracal.postgres.url), so it cannot be checked.",
  remedy: 'Set caracal.postgres.url in the config file (and CARACAL_POSTGRES_PASSWORD if needed), then re-run.',
};

/** Every Postgres check's `run`: `read` gets the target, or the check fails as not configured without calling it. */
export function withPostgres(ctx: CheckContext, read: (pg: PostgresTarget) => Promise<CheckOutcome>): Promise<CheckOutcome> {
  return ctx.postgres ? read(ctx.postgres) : Promise.resolve(POSTGRES_NOT_CONFIGURED);
}

/** The SQLSTATE behind a TargetError from the Postgres target (e.g. 42P01 = table missing), if any. */
export function sqlState(err: unknown): string | undefined {
  if (!(err instanceof TargetError)) return undefined;
  const code = (err.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Run one query against a Caracal table; a missing table (SQLSTATE 42P01) becomes a fail outcome naming it,
 * any other error goes to the executor (target down).
 */
export async function queryTable<R extends Record<string, unknown>>(
  pg: PostgresTarget,
  sql: string,
  table: string,
  what: string,
): Promise<R[] | CheckOutcome> {
  try {
    return await pg.query<R>(sql);
  } catch (err) {
    if (sqlState(err) !== '42P01') throw err;
    return {
      status: 'fail',
      summary: `${table} does not exist, so ${what} cannot be checked.`,
      remedy: 'Run postgres.tables and postgres.migrations: the schema is incomplete.',
      matrix: ['postgres'],
    };
  }
}
