// What the Postgres checks share: the not-configured outcome and reading a SQLSTATE off a TargetError.
import { TargetError } from '../../errors.ts';
import type { CheckOutcome } from '../types.ts';

/**
 * The outcome of every Postgres check when no URL is configured: a check that cannot run is a failure,
 * never a pass (product.md §1). Shared by the checks in this folder.
 */
export const POSTGRES_NOT_CONFIGURED: CheckOutcome = {
  status: 'fail',
  summary: "Caracal's Postgres is not configured (caracal.postgres.url), so it cannot be checked.",
  remedy: 'Set caracal.postgres.url in the config file (and CARACAL_POSTGRES_PASSWORD if needed), then re-run.',
};

/** The SQLSTATE behind a TargetError from the Postgres target (e.g. 42P01 = table missing), if any. */
export function sqlState(err: unknown): string | undefined {
  if (!(err instanceof TargetError)) return undefined;
  const code = (err.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
