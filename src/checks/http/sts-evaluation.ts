// sts.evaluation: STS policy evaluation errors (opa.eval_errors in /metrics.json) as a warning, as Caracal's
// diagnostics report them. The counter only grows while the STS process lives (caracal-ops.md §15.2.4), so "> 0"
// would warn until the pod restarts: we warn when it rose since the reading we remember, or on a first reading.
import { z } from 'zod';
import type { CheckContext, CheckDefinition } from '../types.ts';
import type { Finding } from './findings.ts';
import { count, podLabel, readMetricsJson } from './metrics-json.ts';
import { perPodOutcome } from './per-pod.ts';

const metrics = z.object({ opa: z.object({ eval_errors: count, eval_total: count.optional() }) });
const baselineKey = (base: string) => `sts.evaluation.eval_errors:${base}`;

const REMEDY =
  'STS could not evaluate policy for some token requests (those were denied). Look at the STS logs for the failing ' +
  'rule and at the policy sets activated recently; roll back to the last known-good version if it started with one.';

async function probe(ctx: CheckContext, base: string, signal: AbortSignal, label = podLabel('sts', base)): Promise<Finding> {
  const read = await readMetricsJson(ctx, base, metrics, signal);
  if (!read.ok) return { status: 'fail', line: `${label}: evaluation errors unknown: ${read.problem}`, matrix: ['sts'] };
  const { eval_errors: now, eval_total: total } = read.value.opa;
  const info = `opa.eval_errors=${now}${total === undefined ? '' : ` of ${total} evaluations`}`;
  const key = baselineKey(base);
  const before = await ctx.baselines.get(key);
  const restarted = before !== undefined && now < before.value;
  if (before === undefined || restarted || now !== before.value) await ctx.baselines.set(key, now, ctx.now());
  if (now === 0) return { status: 'pass', line: `${label}: ${info}` };
  if (before === undefined || restarted) {
    return {
      status: 'warn',
      line: `${label}: ${info} since STS started, with no earlier reading to tell whether they are new`,
      remedy: REMEDY,
      matrix: ['sts'],
    };
  }
  if (now > before.value) {
    return {
      status: 'warn',
      line: `${label}: ${info}, up from ${before.value} since ${before.at.toISOString()}`,
      remedy: REMEDY,
      matrix: ['sts'],
    };
  }
  return { status: 'pass', line: `${label}: ${info}, none new since ${before.at.toISOString()} (the counter stays until STS restarts)` };
}

export const stsEvaluation: CheckDefinition = {
  id: 'sts.evaluation',
  title: 'STS policy evaluation errors',
  gates: ['safety'],
  reads: 'every STS pod /metrics.json opa.eval_errors, against the last reading',
  run: (ctx, signal) =>
    perPodOutcome(
      ctx,
      'sts',
      signal,
      (pod) => probe(ctx, pod.url, signal, pod.label),
      (pods) => ({
        pass: `No new policy evaluation errors on the ${pods} STS pods.`,
        lead: 'STS policy evaluation errors',
      }),
    ),
};
