// postgres.reachable: can the bot reach Caracal's Postgres at all, and how fast does it answer?
import { TargetError } from '../../errors.ts';
import type { CheckDefinition } from '../types.ts';
import { withPostgres } from './shared.ts';

/** host:port/database without credentials, so the evidence says where we looked without leaking a password. */
function where(url: string | undefined): string {
  if (!url) return 'unknown';
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'unparsable URL';
  }
}

export const postgresReachable: CheckDefinition = {
  id: 'postgres.reachable',
  title: 'Postgres reachable',
  gates: ['storage'],
  reads: 'SELECT 1 and SHOW server_version, under the configured statement timeout',
  run: (ctx) =>
    withPostgres(ctx, async (pg) => {
      const target = `target: ${where(ctx.caracal.postgres.url)}`;
      let latencyMs: number;
      let version: string;
      try {
        // Timed first on purpose: when the pool has no idle connection this includes connection setup,
        // so a Postgres that is slow to accept connections shows up here too.
        const started = performance.now();
        await pg.query('SELECT 1');
        latencyMs = performance.now() - started;
        const [row] = await pg.query<{ server_version: string }>('SHOW server_version');
        version = row?.server_version ?? 'unknown';
      } catch (err) {
        // Only a target failure is a verdict; anything else is a checker bug for the executor to report.
        if (!(err instanceof TargetError)) throw err;
        return {
          status: 'fail',
          summary: `Postgres is unreachable: ${err.message.replace(/^Postgres: /, '')}.`,
          evidence: [target],
          remedy:
            'Restore Postgres first: API, STS, Gateway, Audit and Coordinator all depend on it. ' +
            'Then confirm migrations, check connection pools and drain the outboxes.',
          matrix: ['postgres'],
        };
      }
      const rounded = Math.round(latencyMs * 10) / 10;
      const metrics = { latencyMs: rounded, serverVersion: version };
      const evidence = [target, `SELECT 1 answered in ${rounded} ms`, `server_version: ${version}`];
      const limit = ctx.thresholds.postgresLatencyWarnMs;
      if (latencyMs > limit) {
        return {
          status: 'warn',
          summary: `Postgres answers, but slowly: SELECT 1 took ${rounded} ms (warn above ${limit} ms).`,
          metrics,
          evidence,
          remedy: 'Look for load, lock waits or connection pressure on Postgres before resuming traffic.',
          matrix: ['postgres'],
        };
      }
      return { status: 'pass', summary: `Postgres answers in ${rounded} ms (${version}).`, metrics, evidence };
    }),
};
