// backlog.metrics: what Audit and the Coordinator say about their own backlog, next to the bot's table and stream
// reads (outbox.coordinator, redis.backlog): Audit consumer_lag (the pending count, caracal-ops.md §13.3) and the
// Coordinator's pending outbox rows from /stats, each warned above a threshold as Caracal's diagnostics do.
import { z } from 'zod';
import type { CheckContext, CheckDefinition } from '../types.ts';
import { combine, type Finding } from './findings.ts';
import { joinUrl } from '../../url.ts';
import { count, notConfigured, podLabel, readJson, readMetricsJson } from './metrics-json.ts';
import { podFindings } from './per-pod.ts';

const auditMetrics = z.object({ consumer_lag: count, consumer_pel_oldest_secs: z.number().nonnegative().optional() });
// /stats counts rows by status; a status with no rows may be absent (§1.6).
const stats = z.object({ outbox: z.object({ pending: count.optional(), dead: count.optional(), published: count.optional() }) });

const STATS_AUTH_HINT =
  "Coordinator operator token missing or rejected: set CARACAL_COORDINATOR_TOKEN to the deployment's CARACAL_COORDINATOR_TOKEN";

async function auditLag(ctx: CheckContext, base: string, signal: AbortSignal, label = podLabel('audit', base)): Promise<Finding> {
  const read = await readMetricsJson(ctx, base, auditMetrics, signal);
  if (!read.ok) return { status: 'fail', line: `${label}: consumer lag unknown: ${read.problem}`, matrix: ['audit'] };
  const max = ctx.thresholds.auditConsumerLagMax;
  const { consumer_lag: lag, consumer_pel_oldest_secs: oldest } = read.value;
  const text = `${label}: consumer_lag=${lag}${oldest === undefined ? '' : `, oldest pending ${oldest} s`}`;
  if (lag <= max) return { status: 'pass', line: text };
  return {
    status: 'warn',
    line: `${text} (above ${max}, CaracalAuditConsumerLagHigh)`,
    remedy:
      'Audit is behind on caracal.audit.events: recorded events reach the ledger late. Check Audit throughput, its Postgres, and redis.backlog for the audit-ingestor group.',
    matrix: ['audit'],
  };
}

/** The Coordinator pods share one database: the first that answers over HTTP speaks for all. */
async function coordinatorPending(ctx: CheckContext, signal: AbortSignal): Promise<Finding> {
  const urls = ctx.caracal.services.coordinator;
  if (urls.length === 0) return notConfigured('coordinator');
  if (!ctx.secrets.coordinatorToken) {
    return {
      status: 'warn',
      line: 'Coordinator /stats not read: CARACAL_COORDINATOR_TOKEN is not set',
      remedy: "Set CARACAL_COORDINATOR_TOKEN so the Coordinator's own outbox counts are read (outbox.coordinator still reads the table).",
    };
  }
  let last: Finding = notConfigured('coordinator');
  for (const base of urls) {
    const label = podLabel('coordinator', base);
    const read = await readJson(ctx, joinUrl(base, '/stats'), stats, {
      bearer: ctx.secrets.coordinatorToken,
      signal,
      authHint: STATS_AUTH_HINT,
    });
    if (!read.ok) {
      last = { status: 'fail', line: `${label}: outbox counts unknown: ${read.problem}`, matrix: ['coordinator'] };
      if (read.status !== undefined) return last;
      continue;
    }
    const { pending = 0, dead = 0 } = read.value.outbox;
    const max = ctx.thresholds.coordinatorPendingMax;
    const text = `${label}: outbox pending=${pending}, dead=${dead} (dead rows: see outbox.coordinator)`;
    if (pending <= max) return { status: 'pass', line: text };
    return {
      status: 'warn',
      line: `${text}; pending above ${max}`,
      remedy:
        "The Coordinator outbox is backing up: session lifecycle and revocation events reach Redis late. Check Redis and the Coordinator's outbox publisher logs.",
      matrix: ['coordinator'],
    };
  }
  return last;
}

export const backlogMetrics: CheckDefinition = {
  id: 'backlog.metrics',
  title: 'Audit lag and Coordinator backlog',
  gates: ['evidence'],
  reads: 'Audit /metrics.json consumer_lag on every pod; Coordinator /stats outbox counts (operator token)',
  async run(ctx, signal) {
    const [audit, coordinator] = await Promise.all([
      podFindings(ctx, 'audit', signal, (pod) => auditLag(ctx, pod.url, signal, pod.label)),
      coordinatorPending(ctx, signal),
    ]);
    const auditPods = audit.pods;
    return combine(
      [...audit.findings, coordinator],
      {
        pass: `Audit lag within ${ctx.thresholds.auditConsumerLagMax} on ${auditPods} pods; Coordinator pending rows within ${ctx.thresholds.coordinatorPendingMax}.`,
        lead: 'Backlog',
      },
      { 'audit.pods': auditPods },
    );
  },
};
