// Opens the state database named by the configuration and brings its schema up to date.
import { mkdirSync } from 'node:fs';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { pgliteDb, postgresDb, type Db } from './db.ts';
import { migrate } from './migrate.ts';

/** `ephemeral`: without STATE_DATABASE_URL, an in-memory database that ends with the process (the sandbox). */
export async function openStateDb(config: Config, logger: Logger, options: { ephemeral?: boolean } = {}): Promise<Db> {
  const url = config.secrets.stateDatabaseUrl;
  let db: Db;
  if (url) {
    db = postgresDb(url, { password: config.secrets.stateDatabasePassword });
  } else if (options.ephemeral) {
    db = await pgliteDb();
  } else {
    mkdirSync(config.state.dataDir, { recursive: true });
    db = await pgliteDb(config.state.dataDir);
  }
  const applied = await migrate(db);
  logger.info({ kind: db.kind, applied }, 'state database ready');
  return db;
}
