// Exit codes of every `caracal-chatops` command (README "Command line"). 64 and 78 are sysexits.h's EX_USAGE and
// EX_CONFIG, so scripts can tell "checks failed" from "the command was wrong" from "the setup is wrong".
export const EXIT = {
  /** check: every check passed. serve/sandbox: stopped cleanly on SIGTERM/SIGINT. */
  pass: 0,
  /** check: at least one warning, no failure. */
  warn: 1,
  /** check: at least one check failed or could not run. */
  fail: 2,
  /** Unknown command or flag, bad flag value: the usage error is printed on one line. */
  usage: 64,
  /** serve/sandbox: shutdown did not finish within the bound; in-flight work was abandoned (deliveries resume elsewhere). */
  software: 70,
  /** Invalid or missing configuration, missing credentials, sandbox not running. */
  config: 78,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A wrong invocation: printed as one line (no stack) and exits 64. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A configuration the command cannot run with: printed without a stack and exits 78. */
export class SetupError extends Error {
  override name = 'SetupError';
}
