// One base error with a small code union. Handlers throw; one error handler answers on the right surface.

export type ErrorCode = 'config_invalid' | 'target_unavailable' | 'bad_request' | 'forbidden' | 'conflict' | 'not_found';

export class CaracalError extends Error {
  override name = 'CaracalError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The configuration is invalid; `problems` lists every one of them. */
export class ConfigError extends CaracalError {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super('config_invalid', `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * A Caracal target (Postgres, Redis, an HTTP service) could not be read: refused, timed out, answered garbage.
 * The check executor reports it as `fail` ("target down"), never as a checker bug.
 */
export class TargetError extends CaracalError {
  override name = 'TargetError';
  constructor(
    readonly target: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('target_unavailable', message, options);
  }
}

/** A request from a user that we refuse; the message is shown to them as is. */
export class UserFacingError extends CaracalError {
  override name = 'UserFacingError';
}
