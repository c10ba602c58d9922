// postgres.migrations: does public.schema_migrations hold the versions this Caracal release expects?
// Migrations are forward-only (caracal-ops.md §2.1): a newer schema is rolled forward to, never back from.
import type { CheckDefinition } from '../types.ts';
import { withPostgres, sqlState } from './shared.ts';

/** The NNNN_ prefix orders versions (migrate.sh applies files sorted by name). */
function sequence(version: string): number {
  const n = Number.parseInt(version.slice(0, 4), 10);
  return Number.isNaN(n) ? -1 : n;
}

const MIGRATE_HINT =
  'Run the Caracal migration job for the release you deploy ' + '(Helm hook <release>-caracal-migrate, or the Compose dbMigrate one-shot).';

export const postgresMigrations: CheckDefinition = {
  id: 'postgres.migrations',
  title: 'Schema migrations',
  gates: ['storage'],
  reads: 'SELECT version, applied_at FROM public.schema_migrations',
  run: (ctx) =>
    withPostgres(ctx, async (pg) => {
      let rows: { version: string; applied_at: Date }[];
      try {
        rows = await pg.query<{ version: string; applied_at: Date }>(
          'SELECT version, applied_at FROM public.schema_migrations ORDER BY version',
        );
      } catch (err) {
        if (sqlState(err) !== '42P01') throw err;
        return {
          status: 'fail',
          summary: 'public.schema_migrations does not exist: Caracal migrations never ran on this database.',
          evidence: ['relation public.schema_migrations: missing (SQLSTATE 42P01)'],
          remedy: `Check that caracal.postgres.url points at Caracal's control-plane database. ${MIGRATE_HINT}`,
          matrix: ['postgres'],
        };
      }

      const expected = ctx.caracal.expectedMigrations;
      const applied = new Set(rows.map((r) => r.version));
      const missing = expected.filter((v) => !applied.has(v));
      const extra = rows.map((r) => r.version).filter((v) => !expected.includes(v));
      const newestExpected = Math.max(-1, ...expected.map(sequence));
      const newer = extra.filter((v) => sequence(v) > newestExpected);
      const unknown = extra.filter((v) => !newer.includes(v));

      const metrics = {
        applied: rows.length,
        expected: expected.length,
        missing: missing.length,
        newer: newer.length,
        latest: rows.at(-1)?.version ?? null,
      };
      const evidence = [
        `expected: ${expected.join(', ') || '(none configured)'}`,
        ...rows.map((r) => `applied: ${r.version} at ${r.applied_at.toISOString()}`),
      ];
      if (rows.length === 0) evidence.push('applied: (no rows)');

      if (missing.length > 0) {
        return {
          status: 'fail',
          summary: `Expected migration${missing.length > 1 ? 's' : ''} missing: ${missing.join(', ')}.`,
          metrics,
          evidence,
          remedy: `${MIGRATE_HINT} Services refuse or misbehave on an older schema.`,
          matrix: ['postgres'],
        };
      }
      if (newer.length > 0) {
        return {
          status: 'warn',
          summary: `Schema moved forward: roll forward, do not roll back (newer than expected: ${newer.join(', ')}).`,
          metrics,
          evidence,
          remedy:
            'A newer Caracal release migrated this database. Helm rollback does not reverse migrations: deploy that ' +
            'release (or a later one) and set caracal.expectedMigrations to match.',
        };
      }
      if (unknown.length > 0) {
        // Not newer, yet not ours: the database was migrated by a different build than the one we expect.
        return {
          status: 'warn',
          summary: `Unexpected migration versions applied: ${unknown.join(', ')}.`,
          metrics,
          evidence,
          remedy: 'Compare schema_migrations with the deployed release; caracal.expectedMigrations may be out of date.',
        };
      }
      return { status: 'pass', summary: `All ${expected.length} expected migrations are applied.`, metrics, evidence };
    }),
};
