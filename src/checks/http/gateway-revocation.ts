// gateway.revocation: each Gateway pod keeps its own in-memory revocation snapshot, reloaded from Postgres every
// 30 s; older than 70 s, the pod fails every proxied request closed with 503 (caracal-ops.md §6, §14.1).
import { z } from 'zod';
import type { CheckContext, CheckDefinition } from '../types.ts';
import type { Pod } from '../discovery/pods.ts';
import { combine, type Finding } from './findings.ts';
import { gatewayCoverage } from './gateway-coverage.ts';
import { count, readMetricsJson, seconds } from './metrics-json.ts';
import { eachPod } from './per-pod.ts';

const metrics = z.object({
  revocation_snapshot_fresh: z.union([z.literal(0), z.literal(1)]),
  revocation_snapshot_age_seconds: seconds,
  revocation_reload_errors: count,
  // Shown only; the verdict does not depend on it.
  revocation_reloads: count.optional(),
});

/** Reload errors only grow while the pod lives, so the bot remembers the last value it saw per pod. */
const baselineKey = (base: string) => `gateway.revocation.reload_errors:${base}`;

async function reloadErrors(ctx: CheckContext, base: string, label: string, current: number): Promise<Finding | undefined> {
  const key = baselineKey(base);
  const before = await ctx.baselines.get(key);
  await ctx.baselines.set(key, current, ctx.now());
  // A lower value means the pod restarted: the new value is simply the new baseline.
  if (!before || current <= before.value) return undefined;
  return {
    status: 'warn',
    kind: 'reload_errors_rising',
    line: `${label}: revocation reload errors rose from ${before.value} to ${current} since ${before.at.toISOString()}`,
    remedy: `${label}: snapshot reloads from Postgres are failing: check Postgres and this pod's pool.`,
    matrix: ['gateway', 'postgres'],
  };
}

/** One pod's findings, and whether it answered at all (for the count against Redis's live groups). */
async function probe(ctx: CheckContext, pod: Pod, signal: AbortSignal): Promise<{ findings: Finding[]; reached: boolean }> {
  const { url: base, label } = pod;
  const read = await readMetricsJson(ctx, base, metrics, signal);
  if (!read.ok)
    return {
      reached: false,
      findings: [{ status: 'fail', kind: 'unknown', line: `${label}: snapshot freshness unknown: ${read.problem}`, matrix: ['gateway'] }],
    };
  const m = read.value;
  const max = ctx.thresholds.revocationSnapshotMaxAgeSeconds;
  const state =
    `fresh=${m.revocation_snapshot_fresh}, age ${m.revocation_snapshot_age_seconds} s (limit ${max} s), ` +
    `reload errors ${m.revocation_reload_errors}${m.revocation_reloads === undefined ? '' : `, reloads ${m.revocation_reloads}`}`;
  const findings: Finding[] = [];
  if (m.revocation_snapshot_fresh !== 1 || m.revocation_snapshot_age_seconds > max) {
    findings.push({
      status: 'fail',
      kind: 'snapshot_stale',
      line: `${label}: revocation snapshot stale (${state}): every proxied request fails closed with 503`,
      remedy:
        'Stale snapshots come from Postgres trouble: restore Postgres (see postgres.reachable); each pod then reloads ' +
        'within 30 s. To force it, POST /internal/revocations/reload with Bearer CARACAL_ADMIN_TOKEN on every stale ' +
        'pod URL directly (not through the Service): it reloads only the pod that receives it.',
      matrix: ['gateway', 'postgres'],
    });
  }
  const rising = await reloadErrors(ctx, base, label, m.revocation_reload_errors);
  if (rising) findings.push(rising);
  if (findings.length === 0) findings.push({ status: 'pass', line: `${label}: ${state}` });
  return { findings, reached: true };
}

export const gatewayRevocation: CheckDefinition = {
  id: 'gateway.revocation',
  title: 'Gateway revocation snapshot',
  gates: ['safety'],
  reads:
    "every Gateway pod's /metrics.json (caracal.discovery): revocation snapshot fresh/age and reload errors; the live gateway-revocation groups in Redis",
  async run(ctx, signal) {
    const fan = await eachPod(ctx, 'gateway', signal, async (pod) => ({ pod, ...(await probe(ctx, pod, signal)) }));
    if (!fan.ok) return combine([fan.finding], { pass: '', lead: 'Revocation state is unknown' }, { 'pods.checked': 0 });
    const reached = fan.results.filter((r) => r.reached).map((r) => r.pod);
    const coverage = await gatewayCoverage(ctx, fan.set, reached);
    const findings = [...(fan.note ? [fan.note] : []), ...fan.results.flatMap((r) => r.findings), coverage];
    const pods = fan.set.pods.length;
    return combine(
      findings,
      {
        pass: `All ${pods} Gateway pods hold a fresh revocation snapshot, and every running Gateway was checked.`,
        lead: 'Revocation state is not fresh everywhere',
      },
      { 'pods.checked': pods, 'pods.answered': reached.length },
    );
  },
};
