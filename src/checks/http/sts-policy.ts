// sts.policy: the configured policy sets are loaded by STS (API activation-status), and no STS pod is failing to
// compile policy. opa.max_policy_age_seconds is shown but never judged: it grows without bound for an unchanged
// bundle (caracal-ops.md §7.1, §13.5), so it cannot tell stale from steady.
import { z } from 'zod';
import type { CheckContext, CheckDefinition } from '../types.ts';
import { combine, type Finding } from './findings.ts';
import { count, notConfigured, podLabel, readMetricsJson, seconds } from './metrics-json.ts';
import { podFindings } from './per-pod.ts';
import { activationFinding, MISSING_READ_TOKEN } from './policy-activation.ts';
import { discoverPolicySets } from '../discovery/zones.ts';
import { baselineLabel } from '../residue/baseline.ts';

const metrics = z.object({
  opa: z.object({ compile_errors: count, max_policy_age_seconds: seconds.optional(), poll_interval_seconds: seconds.optional() }),
});

const DEFAULT_POLL_SECONDS = 60;
const baselineKey = (base: string) => `sts.policy.compile_errors:${base}`;

const COMPILE_REMEDY =
  'STS rejected a policy bundle and keeps the previous one (access is not widened, but the new activation does not ' +
  'take effect). Roll forward to a version that compiles, or activate the last known-good version; confirm with activation-status.';

/**
 * compile_errors only grows while the STS process lives. The baseline remembers the value and when it last changed.
 * A failing manifest is retried on every poll, so a rise within two poll intervals still counts as ongoing: a quick
 * re-run must not turn a fresh failure into a warning.
 */
async function compileFinding(ctx: CheckContext, base: string, signal: AbortSignal, label = podLabel('sts', base)): Promise<Finding> {
  const read = await readMetricsJson(ctx, base, metrics, signal);
  if (!read.ok) return { status: 'fail', line: `${label}: compile errors unknown: ${read.problem}`, matrix: ['sts'] };
  const { compile_errors: now, max_policy_age_seconds: age, poll_interval_seconds: poll } = read.value.opa;
  const info = `opa.compile_errors=${now}` + (age === undefined ? '' : `, max_policy_age_seconds=${Math.round(age)} (information only)`);
  const residue = ctx.incident?.residue;
  const recorded = residue?.stsCompileErrors[base];
  if (residue && recorded !== undefined) return againstRunBaseline(label, info, now, recorded, baselineLabel(residue));
  const key = baselineKey(base);
  const before = await ctx.baselines.get(key);
  const restarted = before !== undefined && now < before.value;
  const changed = before === undefined || restarted || now !== before.value;
  const at = changed ? ctx.now() : before.at;
  if (changed) await ctx.baselines.set(key, now, at);
  if (now === 0) return { status: 'pass', line: `${label}: ${info}` };
  const windowMs = 2 * (poll && poll > 0 ? poll : DEFAULT_POLL_SECONDS) * 1000;
  if (before === undefined || restarted) {
    return {
      status: 'fail',
      line: `${label}: ${info}, with no earlier reading to tell whether they are new`,
      remedy: COMPILE_REMEDY,
      matrix: ['sts'],
    };
  }
  if (now > before.value) {
    return {
      status: 'fail',
      line: `${label}: ${info}, up from ${before.value} since ${before.at.toISOString()}`,
      remedy: COMPILE_REMEDY,
      matrix: ['sts'],
    };
  }
  if (ctx.now().getTime() - at.getTime() < windowMs) {
    return {
      status: 'fail',
      line: `${label}: ${info}, last rose at ${at.toISOString()}, less than two STS polls ago`,
      remedy: COMPILE_REMEDY,
      matrix: ['sts'],
    };
  }
  return {
    status: 'warn',
    line: `${label}: ${info}, unchanged since ${at.toISOString()}`,
    remedy: `${label}: old compile errors; the counter stays non-zero until the STS pod restarts. Confirm activation-status is loaded.`,
    matrix: ['sts'],
  };
}

/**
 * Judged against the run's residue baseline: errors counted before the incident are old residue (the counter only
 * grows while STS runs, §15.2.4); a lower value means STS restarted, so every error it now counts is new.
 */
function againstRunBaseline(label: string, info: string, now: number, recorded: number, when: string): Finding {
  if (now === 0) return { status: 'pass', line: `${label}: ${info}` };
  if (now < recorded) {
    return {
      status: 'fail',
      line: `${label}: ${info} since STS restarted (it counted ${recorded} at the ${when}): all new`,
      remedy: COMPILE_REMEDY,
      matrix: ['sts'],
    };
  }
  if (now > recorded) {
    return {
      status: 'fail',
      line: `${label}: ${info}, ${now - recorded} new since the ${when} (${recorded} before)`,
      remedy: COMPILE_REMEDY,
      matrix: ['sts'],
    };
  }
  return { status: 'pass', line: `${label}: ${info}: ${now} compile errors from before the incident (${when}), none new` };
}

async function activationFindings(ctx: CheckContext, signal: AbortSignal): Promise<{ findings: Finding[]; sets: number }> {
  // caracal.policySets when set, otherwise every active policy set of the zones checked (issue 19).
  const found = await discoverPolicySets(ctx, signal);
  const sets = found.ok ? found.items : [];
  if (sets.length === 0) {
    return {
      sets: 0,
      findings: [
        {
          status: 'warn',
          line: `Policy activation not checked: ${found.ok ? 'no active policy set found' : found.problem}`,
          remedy: 'Set CARACAL_API_READ_TOKEN so active policy sets are listed, or list zoneId/policySetId pairs under caracal.policySets.',
        },
      ],
    };
  }
  if (ctx.caracal.services.api.length === 0) return { sets: sets.length, findings: [notConfigured('api')] };
  if (!ctx.secrets.apiReadToken) return { sets: sets.length, findings: [MISSING_READ_TOKEN] };
  return { sets: sets.length, findings: await Promise.all(sets.map((set) => activationFinding(ctx, set, signal))) };
}

export const stsPolicy: CheckDefinition = {
  id: 'sts.policy',
  title: 'STS policy freshness',
  gates: ['safety'],
  reads: 'API activation-status of each configured policy set (CARACAL_API_READ_TOKEN); every STS pod /metrics.json opa.compile_errors',
  async run(ctx, signal) {
    const [activation, compile] = await Promise.all([
      activationFindings(ctx, signal),
      podFindings(ctx, 'sts', signal, (pod) => compileFinding(ctx, pod.url, signal, pod.label)),
    ]);
    const { sets } = activation;
    const loaded = sets === 0 ? 0 : activation.findings.filter((f) => f.status === 'pass').length;
    return combine(
      [...activation.findings, ...compile.findings],
      { pass: `All ${sets} policy sets are loaded and no STS pod has compile errors.`, lead: 'Policy is not confirmed fresh' },
      { 'policySets.checked': sets, 'policySets.loaded': loaded },
    );
  },
};
