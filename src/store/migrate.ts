// Numbered SQL migrations (migrations/NNNN_name.sql), applied in order at start, each in its own transaction,
// under an advisory lock so replicas starting together apply each file once.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));
/** Distinct from Caracal's migration lock key (4732518903281471). */
const LOCK_KEY = 7315402211;

export function migrationFiles(dir = MIGRATIONS_DIR): { version: string; sql: string }[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: f.replace(/\.sql$/, ''), sql: readFileSync(join(dir, f), 'utf8') }));
}

export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<string[]> {
  const applied: string[] = [];
  await db.transaction(async (tx) => {
    // Transaction-scoped lock: released at commit, also if this process dies.
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await tx.query(
      'CREATE TABLE IF NOT EXISTS chatops_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await tx.query<{ version: string }>('SELECT version FROM chatops_migrations')).rows.map((r) => r.version));
    for (const file of migrationFiles(dir)) {
      if (done.has(file.version)) continue;
      await tx.exec(file.sql);
      await tx.query('INSERT INTO chatops_migrations (version) VALUES ($1)', [file.version]);
      applied.push(file.version);
    }
  });
  return applied;
}
