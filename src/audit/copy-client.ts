// A CopyReader on its own pg connection. PostgresTarget (a pool) only returns decoded rows, and COPY needs the
// client's protocol, so the deep check opens one connection with the target's settings for its sweep.
import pg from 'pg';
import { TargetError } from '../errors.ts';
import { describePgError, describeSettingsError, pgConnectionConfig } from '../pg-connection.ts';
import { CopyRows, type RowHandler } from './copy-rows.ts';
import type { CopyReader } from './copy-verify.ts';

export interface CopyClientOptions {
  url: string;
  password?: string | undefined;
  ssl?: boolean;
  statementTimeoutMs: number;
}

export interface CopyClient extends CopyReader {
  end(): Promise<void>;
}

/** Connects on the first copy; end() closes it (and is safe to call when it never connected). */
export function pgCopyClient(options: CopyClientOptions): CopyClient {
  // The target's connection settings: timeouts per statement (so per page), and Caracal's zone RLS opened
  // to every zone with caracal.zone_id = '*' (caracal-ops.md §2.2).
  let settings: pg.ClientConfig = {};
  let settingsProblem: string | undefined;
  try {
    settings = pgConnectionConfig({ url: options.url, password: options.password, ssl: options.ssl });
  } catch (err) {
    settingsProblem = describeSettingsError(err);
  }
  const client = new pg.Client({
    ...settings,
    connectionTimeoutMillis: options.statementTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    query_timeout: options.statementTimeoutMs + 500,
    application_name: 'caracal-chatops',
    options: '-c caracal.zone_id=*',
  });
  // A lost server surfaces as the running copy's error; without a listener it would crash the process.
  client.on('error', () => undefined);
  let connecting: Promise<void> | undefined;
  let open = false;
  return {
    async copy(sql: string, onRow: RowHandler): Promise<number> {
      if (settingsProblem) throw new TargetError('postgres', `Postgres: ${settingsProblem}`);
      try {
        await (connecting ??= client.connect().then(() => void (open = true)));
        return await client.query(new CopyRows(sql, onRow)).done;
      } catch (err) {
        throw new TargetError('postgres', `Postgres: ${describePgError(err, 'CARACAL_POSTGRES_PASSWORD')}`, { cause: err });
      }
    },
    async end(): Promise<void> {
      await connecting?.catch(() => undefined);
      if (open) await client.end();
    },
  };
}
