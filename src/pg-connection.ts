// Connection settings for every `pg` client (Caracal's Postgres, the deep verification's COPY client, the state
// database): a URL, a password kept apart from it, and TLS as libpq spells it.
import type pg from 'pg';
import { parse, toClientConfig } from 'pg-connection-string';

export interface PgConnectionInput {
  url: string;
  /** From a secret (CARACAL_POSTGRES_PASSWORD, STATE_DATABASE_PASSWORD or their _FILE): wins over the URL's. */
  password?: string | undefined;
  /** Legacy switch: TLS with certificate verification when the URL says nothing about sslmode. */
  ssl?: boolean | undefined;
}

/**
 * Why not `{ connectionString, password }`: pg applies the parsed URL over the other options, and a URL without a
 * password sets it to '' (SCRAM then fails with "client password must be a string"). So the URL is parsed here and
 * the password set last. `sslmode` keeps libpq's meaning (require = encrypted, not verified; verify-ca; verify-full),
 * `sslrootcert` names the CA file. Throws when the URL is unreadable or a certificate file cannot be read.
 */
export function pgConnectionConfig(input: PgConnectionInput): pg.ClientConfig {
  const ownCompat = /[?&]uselibpqcompat=/i.test(input.url);
  const config = toClientConfig(parse(input.url, ownCompat ? {} : { useLibpqCompat: true }));
  const password = input.password || config.password || undefined;
  const ssl = config.ssl ?? (input.ssl ? true : undefined);
  const { password: _urlPassword, ssl: _urlSsl, ...rest } = config;
  return { ...rest, ...(password ? { password } : {}), ...(ssl === undefined ? {} : { ssl }) };
}

export interface CaracalPgInput extends PgConnectionInput {
  /** Bounds the connect (each client sets its own statement timeout). */
  statementTimeoutMs: number;
}

/**
 * What every client of Caracal's Postgres (the checks' pool, the deep verification's COPY client) connects with:
 * the target's URL, password and TLS, a bounded connect, the bot's name in pg_stat_activity, and Caracal's zone RLS
 * opened to every zone (a non-owner role sees every zone only with caracal.zone_id = '*', caracal-ops.md §2.2).
 * Settings that cannot be built (an unreadable sslrootcert) come back as `problem`: a finding on every use, not a
 * crash at start.
 */
export function caracalPgClientConfig(input: CaracalPgInput): { config: pg.ClientConfig; problem: string | undefined } {
  let settings: pg.ClientConfig = {};
  let problem: string | undefined;
  try {
    settings = pgConnectionConfig({ url: input.url, password: input.password, ssl: input.ssl });
  } catch (err) {
    problem = describeSettingsError(err);
  }
  return {
    config: {
      ...settings,
      connectionTimeoutMillis: input.statementTimeoutMs,
      application_name: 'caracal-chatops',
      options: '-c caracal.zone_id=*',
    },
    problem,
  };
}

/** A pg error in words an on-call engineer reads at a glance. Never contains the password. */
export function describePgError(err: unknown, passwordVariable: string): string {
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  if (e.code === 'ECONNREFUSED') return 'connection refused';
  if (e.code === '57014') return 'statement timed out';
  // 28P01: wrong password (the server's text is "password authentication failed for user \"x\"").
  if (e.code === '28P01') return `${message.replace(/^password /, '')}: check ${passwordVariable}`;
  // pg's own text when the server asks for a password and none was given.
  if (/client password must be a string|password must be a string/i.test(message))
    return `the server requires a password and none is set: set ${passwordVariable} (or ${passwordVariable}_FILE)`;
  return e.code ? `${message} (${e.code})` : message;
}

/** The same failure, when the settings themselves could not be built (bad URL, unreadable CA file). */
export function describeSettingsError(err: unknown): string {
  const e = err as { code?: string; path?: string; message?: string };
  if (e.code && e.path) return `cannot read ${e.path} (${e.code})`;
  return `invalid connection URL (${e.code ?? 'unparsable'})`;
}
