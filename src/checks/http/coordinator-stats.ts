// coordinator.stats: the Coordinator's background jobs (caracal-ops.md §1.6, §15.1.4, §15.2.11). GET /stats with
// the operator token shows, per job, only counters (runs, failures); Caracal records no last-run time. So the
// "last run" is when the bot last saw `runs` move, and a job is stalled when it has not moved for two intervals.
import { z } from 'zod';
import type { CheckContext, CheckDefinition } from '../types.ts';
import { describeGrowth, growth } from './counter-growth.ts';
import type { Finding } from './findings.ts';
import { joinUrl } from '../../url.ts';
import { count, podLabel, readJson } from './metrics-json.ts';
import { perPodOutcome } from './per-pod.ts';

/** Default intervals (TTL_SWEEP_INTERVAL_MS, SERVICE_LEASE_SWEEP_INTERVAL_MS, RETENTION_CLEANUP_INTERVAL_MS). */
export const JOBS = {
  ttl_sweeper: { title: 'token TTL sweeper', intervalMs: 60_000 },
  service_lease_sweeper: { title: 'service lease sweeper', intervalMs: 30_000 },
  retention_cleaner: { title: 'retention cleaner', intervalMs: 900_000 },
} as const;
type Job = keyof typeof JOBS;

const job = z.looseObject({ runs: count, failures: count });
const stats = z.looseObject({
  outbox: z.looseObject({ dead: count.optional() }).optional(),
  ttl_sweeper: job,
  service_lease_sweeper: job,
  retention_cleaner: job,
});

async function judgeJob(
  ctx: CheckContext,
  label: string,
  base: string,
  name: Job,
  j: { runs: number; failures: number },
): Promise<Finding> {
  const { title, intervalMs } = JOBS[name];
  const runsKey = `coordinator.stats.${name}.runs:${base}`;
  const before = await ctx.baselines.get(runsKey);
  const restarted = before !== undefined && j.runs < before.value;
  if (before === undefined || restarted || j.runs !== before.value) await ctx.baselines.set(runsKey, j.runs, ctx.now());
  const lastSeen = before === undefined || restarted || j.runs !== before.value ? ctx.now() : before.at;
  const failures = await growth(ctx, `coordinator.stats.${name}.failures:${base}`, j.failures);
  const line = `${label}: ${title} runs ${j.runs}, last seen running by ${lastSeen.toISOString()}, ${describeGrowth('failures', failures)}`;
  if (failures.kind === 'grew') {
    return {
      status: 'fail',
      line,
      remedy: `${label}: the ${title} is failing (it needs Postgres): restore Postgres, then watch failures stop growing.`,
      matrix: ['coordinator'],
    };
  }
  const quietMs = ctx.now().getTime() - lastSeen.getTime();
  if (quietMs > 2 * intervalMs + 30_000) {
    return {
      status: 'warn',
      line: `${line}: no run for ${Math.round(quietMs / 1000)} s (interval ${intervalMs / 1000} s)`,
      remedy: `${label}: the ${title} has stalled: check the Coordinator logs; restarting the pod restarts its jobs.`,
      matrix: ['coordinator'],
    };
  }
  return {
    status: failures.kind === 'unknown' ? 'warn' : 'pass',
    line,
    ...(failures.kind === 'unknown' ? { remedy: `${label}: re-run later to see whether the ${title}'s failures still grow.` } : {}),
  };
}

const AUTH_HINT =
  'Coordinator rejected the token: set CARACAL_COORDINATOR_TOKEN to its operator token (401 missing_token/invalid_token; 403 operator_token_required)';

async function probe(ctx: CheckContext, base: string, signal: AbortSignal): Promise<Finding[]> {
  const label = podLabel('coordinator', base);
  if (!ctx.secrets.coordinatorToken) {
    return [
      {
        status: 'fail',
        line: `${label}: /stats not read: CARACAL_COORDINATOR_TOKEN is not set`,
        remedy: 'Set CARACAL_COORDINATOR_TOKEN to the Coordinator operator token.',
      },
    ];
  }
  const read = await readJson(ctx, joinUrl(base, '/stats'), stats, { bearer: ctx.secrets.coordinatorToken, signal, authHint: AUTH_HINT });
  if (!read.ok) {
    const remedy =
      read.status === 500
        ? `${label}: /stats answered 500: the Coordinator's Redis-backed rate limit or Postgres is failing (see services.ready).`
        : `${label}: see services.ready for this pod.`;
    return [{ status: 'fail', line: `${label}: /stats unknown: ${read.problem}`, remedy, matrix: ['coordinator'] }];
  }
  return Promise.all((Object.keys(JOBS) as Job[]).map((name) => judgeJob(ctx, label, base, name, read.value[name])));
}

export const coordinatorStats: CheckDefinition = {
  id: 'coordinator.stats',
  title: 'Coordinator sweepers and cleaners',
  gates: ['services'],
  reads: 'Coordinator GET /stats (operator token): ttl_sweeper, service_lease_sweeper, retention_cleaner runs and failures',
  run: (ctx, signal) =>
    perPodOutcome(
      ctx,
      'coordinator',
      signal,
      (pod) => probe(ctx, pod.url, signal),
      (pods) => ({
        pass: `The Coordinator's sweepers and cleaner are running on ${pods} pods.`,
        lead: 'Coordinator jobs',
      }),
    ),
};
