// COPY ... TO STDOUT on a pg connection of its own, through pg-copy-streams. PostgresTarget (a pool) only
// returns decoded rows, and COPY needs the client's protocol, so the deep check opens one connection with the
// target's settings for its sweep.
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { TargetError } from '../errors.ts';
import { caracalPgClientConfig, describePgError } from '../pg-connection.ts';

export interface CopyClientOptions {
  url: string;
  password?: string | undefined;
  ssl?: boolean;
  /** Bounds the connect. The sweep is one statement as long as the table, bounded by the caller's signal instead. */
  statementTimeoutMs: number;
}

/** Hands over the bytes of one COPY ... TO STDOUT, chunk by chunk, in order; the next is read once it returns. */
export type ChunkHandler = (chunk: Buffer) => void;

export interface CopyReader {
  /**
   * `settings`: session settings made before the COPY, name and value bound as parameters (set_config($1, $2)).
   * COPY takes no bind parameters, so a value it needs (a zone id) is read back with current_setting(name).
   */
  copyOut(sql: string, onChunk: ChunkHandler, signal?: AbortSignal, settings?: Readonly<Record<string, string>>): Promise<void>;
}

export interface CopyClient extends CopyReader {
  end(): Promise<void>;
}

/** Connects on the first copy; end() closes it (and is safe to call when it never connected). */
export function pgCopyClient(options: CopyClientOptions): CopyClient {
  const { config, problem: settingsProblem } = caracalPgClientConfig(options);
  const client = new pg.Client({
    ...config,
    // No statement_timeout: the whole table is one COPY. The caller's AbortSignal (the check's deadline) ends
    // it by closing the socket, and Postgres ends the statement when it can no longer send.
    statement_timeout: 0,
  });
  // A lost server surfaces as the running copy's error; without a listener it would crash the process.
  client.on('error', () => undefined);
  let connecting: Promise<void> | undefined;
  let open = false;
  let broken = false;
  const fail = (err: unknown): TargetError =>
    new TargetError('postgres', `Postgres: ${describePgError(err, 'CARACAL_POSTGRES_PASSWORD')}`, { cause: err });

  return {
    async copyOut(sql, onChunk, signal, settings = {}) {
      if (settingsProblem) throw new TargetError('postgres', `Postgres: ${settingsProblem}`);
      signal?.throwIfAborted();
      try {
        await (connecting ??= client.connect().then(() => void (open = true)));
        for (const [name, value] of Object.entries(settings)) await client.query('SELECT set_config($1, $2, false)', [name, value]);
      } catch (err) {
        throw fail(err);
      }
      signal?.throwIfAborted();
      const stream = client.query(copyTo(sql));
      // Mid-COPY the protocol has no clean way back: on abort, or when the handler throws, drop the connection
      // (end() then has nothing to close) so Postgres ends the statement.
      const drop = (): void => {
        broken = true;
        client.connection.stream.destroy();
      };
      const abort = (): void => {
        stream.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
        drop();
      };
      signal?.addEventListener('abort', abort, { once: true });
      let handlerError: { err: unknown } | undefined;
      try {
        for await (const chunk of stream) {
          try {
            onChunk(chunk as Buffer);
          } catch (err) {
            handlerError = { err };
            drop();
            break;
          }
        }
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        throw fail(err);
      } finally {
        signal?.removeEventListener('abort', abort);
      }
      if (handlerError) throw handlerError.err;
    },
    async end(): Promise<void> {
      await connecting?.catch(() => undefined);
      if (open && !broken) await client.end();
    },
  };
}
