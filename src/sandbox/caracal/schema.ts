// Loads the Caracal v1.0.0-shaped schema (schema.sql) as migrations and Audit's retention job leave it. Runtime
// code because the sandbox needs it at `npm start`; the tests load the same schema through test/fixtures.
// Every statement is plain SQL without parameters, so one `exec` serves both pg and PGlite.
import { readFileSync } from 'node:fs';

/** Runs one or more SQL statements (simple protocol: no parameters). */
export type SqlExec = (sql: string) => Promise<unknown>;

export const SCHEMA_SQL = readFileSync(new URL('./schema.sql', import.meta.url), 'utf8');

/** The rows v1.0.0's migration job leaves in public.schema_migrations (caracal-ops.md §2.1). */
export const V1_MIGRATIONS = ['0001_baseline', '0002_approval_hardening', '0003_operator_run_token_usage'] as const;

/** The first instant (UTC) of the month `offset` months after the month of `date`. */
export function monthStartUtc(date: Date, offset = 0): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + offset, 1));
}

/** Caracal's partition name for the month containing `date` (UTC): audit_events_yYYYYmMM. */
export function auditPartitionName(date: Date): string {
  return `audit_events_y${date.getUTCFullYear()}m${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The CREATE TABLE for the monthly audit_events partition `offset` months after the month of `now`. */
export function auditPartitionSql(now: Date, offset = 0): { name: string; sql: string } {
  const from = monthStartUtc(now, offset);
  const name = auditPartitionName(from);
  const sql =
    `CREATE TABLE public.${name} PARTITION OF public.audit_events ` +
    `FOR VALUES FROM ('${from.toISOString()}') TO ('${monthStartUtc(now, offset + 1).toISOString()}')`;
  return { name, sql };
}

/** Attach the monthly audit_events partition for the month `offset` months after `now`. */
export async function createAuditPartition(exec: SqlExec, now: Date, offset = 0): Promise<string> {
  const { name, sql } = auditPartitionSql(now, offset);
  await exec(sql);
  return name;
}

/**
 * Create the schema, the partition window Caracal keeps (the month of `now` plus the next 3) and the
 * v1.0.0 migration rows. Run once per fresh database.
 */
export async function loadCaracalSchema(exec: SqlExec, now = new Date()): Promise<void> {
  await exec(SCHEMA_SQL);
  for (let offset = 0; offset < 4; offset++) await createAuditPartition(exec, now, offset);
  // Constants only, so no parameters are needed (PGlite's exec takes none).
  await exec(`INSERT INTO public.schema_migrations (version) VALUES ${V1_MIGRATIONS.map((v) => `('${v}')`).join(', ')}`);
}
