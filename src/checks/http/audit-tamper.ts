// audit.tamper: Audit's tamper sweep counters (caracal-ops.md §5.3, §14.1-§14.3). They only grow while the Audit
// process lives and one broken row is re-counted by up to 4 hourly sweeps, so "counter = 0" cannot be the test:
// we judge the rise since a remembered baseline, and whether a sweep has finished since the last rise.
import { z } from 'zod';
import { TargetError } from '../../errors.ts';
import type { CheckContext, CheckDefinition } from '../types.ts';
import type { Finding } from './findings.ts';
import { joinUrl } from '../../url.ts';
import { count, podLabel, readMetricsJson, snippet } from './metrics-json.ts';
import { baselineLabel } from '../residue/baseline.ts';
import type { ChainVerificationRecord } from '../../domain/chain-verification.ts';
import { perPodOutcome } from './per-pod.ts';

const metrics = z.object({
  tamper_mismatch_total: count,
  tamper_chain_breaks: count,
  tamper_hmac_failures: count,
  tamper_last_sweep_unix: count,
  tamper_last_full_unix: count,
  // Replays whose content differed from the stored row: the DLQ entry can be deleted, this counter cannot.
  tamper_replay_total: count.optional(),
});
type Counters = z.infer<typeof metrics>;

// Per Audit URL: the counters' sum (at = when it last changed, bot clock); the Audit's own last-sweep time when
// it last changed (so "a sweep finished since" compares Audit's clock with itself); the last full sweep (restarts).
const keys = (base: string) => ({
  sum: `audit.tamper.sum:${base}`,
  sweep: `audit.tamper.sweep:${base}`,
  full: `audit.tamper.full:${base}`,
});

const INCIDENT =
  'Treat this as a security incident: audit rows no longer match their hash chain. Preserve the database and the ' +
  'Audit logs, scope the blast radius (which zones and rows: run the bot\'s "Verify audit chain (deep)" on the Safety ' +
  "gate, which recomputes every row's hash, link and HMAC), and restore the affected rows from a trusted backup.";
const LINGERING =
  'The counters stay non-zero until the Audit pod restarts; once the findings are handled, restart Audit: its start ' +
  'runs a full sweep over the retention window and this check starts a new baseline.';

async function judge(ctx: CheckContext, label: string, base: string, m: Counters): Promise<Finding> {
  const k = keys(base);
  const sum = m.tamper_mismatch_total + m.tamper_chain_breaks + m.tamper_hmac_failures;
  const counts = `mismatches ${m.tamper_mismatch_total}, chain breaks ${m.tamper_chain_breaks}, HMAC failures ${m.tamper_hmac_failures}`;
  const [before, marker, full] = await Promise.all([ctx.baselines.get(k.sum), ctx.baselines.get(k.sweep), ctx.baselines.get(k.full)]);
  // Smaller counters or a new full-sweep time mean Audit restarted: its counters began again from zero.
  const restarted = (before !== undefined && sum < before.value) || (full !== undefined && full.value !== m.tamper_last_full_unix);
  const fresh = before === undefined || marker === undefined || restarted;
  const now = ctx.now();
  if (fresh || sum !== before.value) {
    await ctx.baselines.set(k.sum, sum, now);
    await ctx.baselines.set(k.sweep, m.tamper_last_sweep_unix, now);
  }
  await ctx.baselines.set(k.full, m.tamper_last_full_unix, now);
  const recorded = ctx.incident?.residue?.tamper[base];
  if (recorded && ctx.incident?.residue) return againstRunBaseline(label, counts, sum, m, recorded, baselineLabel(ctx.incident.residue));
  if (sum === 0) return { status: 'pass', line: `${label}: no tamper findings${restarted ? ' (Audit restarted: new baseline)' : ''}` };
  const fail = (why: string): Finding => ({ status: 'fail', line: `${label}: ${counts}; ${why}`, remedy: INCIDENT, matrix: ['audit'] });
  if (fresh) return fail(restarted ? 'found since Audit restarted' : 'no earlier reading to tell old findings from new');
  if (sum > before.value) return fail(`up from ${before.value} since ${before.at.toISOString()}`);
  if (m.tamper_last_sweep_unix <= marker.value) return fail(`no sweep has finished since they last rose (${before.at.toISOString()})`);
  return {
    status: 'warn',
    line: `${label}: ${counts}, unchanged since ${before.at.toISOString()}: a later sweep found nothing new`,
    remedy: LINGERING,
    matrix: ['audit'],
  };
}

/**
 * Judged against the run's residue baseline: counts from before the incident are old residue, shown as information.
 * Lower counters or another full-sweep time mean Audit restarted after the baseline: its start-up sweep re-read every
 * retained row, so whatever it counts now is a finding of this incident's window too.
 */
function againstRunBaseline(
  label: string,
  counts: string,
  sum: number,
  m: Counters,
  recorded: { sum: number; lastFullUnix: number },
  when: string,
): Finding {
  const restarted = sum < recorded.sum || m.tamper_last_full_unix !== recorded.lastFullUnix;
  if (sum === 0) return { status: 'pass', line: `${label}: no tamper findings${restarted ? ' (Audit restarted since the baseline)' : ''}` };
  const fail = (why: string): Finding => ({ status: 'fail', line: `${label}: ${counts}; ${why}`, remedy: INCIDENT, matrix: ['audit'] });
  if (restarted) return fail(`found since Audit restarted after the ${when} (its full sweep re-read every retained row)`);
  if (sum > recorded.sum) return fail(`up from ${recorded.sum} at the ${when}`);
  return { status: 'pass', line: `${label}: ${counts}: ${sum} findings from before the incident (${when}), none new` };
}

const hhmm = (at: Date) => `${at.toISOString().slice(11, 16)} UTC`;

function ageText(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** What the deep verification said, for the coverage line. */
function verificationText(v: ChainVerificationRecord): string {
  if (v.clean)
    return `the deep verification at ${hhmm(v.at)} found every row intact (${v.rowsChecked} rows, ${v.hmacChecked ? 'with' : 'without'} the HMAC key)`;
  const first = v.findings[0];
  const where = first ? `: zone ${first.zoneId}, row id=${first.rowId} (chain_seq ${first.chainSeq}), ${first.kinds.join(' + ')}` : '';
  return `the deep verification at ${hhmm(v.at)} found ${v.findings.length} broken zone(s)${where}; Resume needs two approvers to acknowledge it with a written reason`;
}

/**
 * What the counters cover (§15.2.3): the hourly sweep re-reads rows *ingested* in the last 4 h, and one full sweep
 * runs at Audit start. An older row edited later moves no counter until Audit restarts, so during a run a full sweep
 * older than the incident's start leaves older rows unchecked until the deep verification covers them.
 */
function coverage(ctx: CheckContext, label: string, m: Counters): Finding {
  const full = m.tamper_last_full_unix;
  const nowS = ctx.now().getTime() / 1000;
  const fullText =
    full === 0
      ? 'no full sweep recorded'
      : `last full sweep ${new Date(full * 1000).toISOString()} (${ageText(Math.max(0, Math.round(nowS - full)))} ago)`;
  const line = `${label}: the sweep covers rows ingested in the last 4 h (hourly) plus one full sweep at Audit start; ${fullText}`;
  const incident = ctx.incident;
  if (!incident || full * 1000 >= incident.startedAt.getTime()) return { status: 'pass', line };
  const v = incident.verification;
  if (v && v.at.getTime() >= incident.startedAt.getTime()) return { status: 'pass', line: `${line}; older rows: ${verificationText(v)}` };
  return {
    status: 'warn',
    line: `${line}, before the incident started (${incident.startedAt.toISOString()}): rows ingested earlier and edited since are not covered`,
    remedy:
      'Run "Verify audit chain (deep)" on the Safety gate: it recomputes every row of every zone; its result is recorded in the run and shown here.',
    matrix: ['audit'],
  };
}

/** The sweep runs hourly and records its time when it finishes, so the age nears 1 h before each run (§14.2). */
function sweepAge(ctx: CheckContext, label: string, m: Counters): Finding | undefined {
  const max = ctx.thresholds.tamperSweepMaxAgeSeconds;
  const remedy = 'Check the Audit logs for failing sweeps (a failed sweep records nothing); restarting Audit runs a full sweep.';
  if (m.tamper_last_sweep_unix === 0) return { status: 'warn', line: `${label}: no tamper sweep has finished`, remedy, matrix: ['audit'] };
  const age = Math.round(ctx.now().getTime() / 1000 - m.tamper_last_sweep_unix);
  if (age <= max) return undefined;
  return { status: 'warn', line: `${label}: last tamper sweep ${age} s ago (limit ${max} s)`, remedy, matrix: ['audit'] };
}

/** tamper_replay_total only grows; a rise since the last reading is new evidence of a replayed, altered event. */
async function replayTamper(ctx: CheckContext, label: string, base: string, m: Counters): Promise<Finding | undefined> {
  const n = m.tamper_replay_total;
  if (n === undefined) return undefined;
  const key = `audit.tamper.replay:${base}`;
  const before = await ctx.baselines.get(key);
  if (before === undefined || n !== before.value) await ctx.baselines.set(key, n, ctx.now());
  if (n === 0) return undefined;
  const line = `${label}: tamper_replay_total=${n} (replayed events whose content differed from the stored row)`;
  const remedy = 'Each is recorded durably in audit_ingest_alerts (content_mismatch_on_replay): see audit.ingest_alerts. ' + INCIDENT;
  if (before === undefined || n > before.value)
    return { status: 'fail', line: `${line}${before ? `, up from ${before.value}` : ''}`, remedy, matrix: ['audit'] };
  return { status: 'warn', line: `${line}, unchanged since ${before.at.toISOString()}`, remedy: LINGERING, matrix: ['audit'] };
}

/**
 * Audit's /metrics.json keeps answering from memory when its stores are gone, but the sweep needs Postgres:
 * while Audit is not ready its counters describe the last sweep that worked, not the rows written since.
 */
async function readiness(ctx: CheckContext, label: string, base: string, signal: AbortSignal): Promise<Finding | undefined> {
  let answer: { status: number; text: string };
  try {
    answer = await ctx.http.request(joinUrl(base, '/ready'), { signal });
  } catch (err) {
    if (!(err instanceof TargetError)) throw err;
    answer = { status: 0, text: err.message };
  }
  if (answer.status === 200) return undefined;
  return {
    status: 'warn',
    line:
      `${label}: Audit not ready (${answer.status === 0 ? answer.text : `HTTP ${answer.status} ${snippet(answer.text, 100)}`}): ` +
      'its tamper sweep may not be running, so these counters may not cover recent rows',
    remedy: 'Restore Audit readiness (services.ready), then re-run: a finished sweep is needed before the counters mean "no tampering".',
    matrix: ['audit'],
  };
}

async function probe(ctx: CheckContext, base: string, signal: AbortSignal, label = podLabel('audit', base)): Promise<Finding[]> {
  const [read, notReady] = await Promise.all([readMetricsJson(ctx, base, metrics, signal), readiness(ctx, label, base, signal)]);
  if (!read.ok) return [{ status: 'fail', line: `${label}: tamper counters unknown: ${read.problem}`, matrix: ['audit'] }];
  const stale = sweepAge(ctx, label, read.value);
  const replay = await replayTamper(ctx, label, base, read.value);
  const judged = await judge(ctx, label, base, read.value);
  return [judged, coverage(ctx, label, read.value), ...[stale, replay, notReady].filter((f): f is Finding => f !== undefined)];
}

export const auditTamper: CheckDefinition = {
  id: 'audit.tamper',
  title: 'Audit tamper sweep',
  gates: ['safety'],
  reads:
    'Audit /metrics.json: tamper_mismatch_total, tamper_chain_breaks, tamper_hmac_failures, tamper_last_sweep_unix, tamper_last_full_unix, tamper_replay_total; Audit /ready',
  run: (ctx, signal) =>
    perPodOutcome(
      ctx,
      'audit',
      signal,
      (pod) => probe(ctx, pod.url, signal, pod.label),
      (pods) => ({
        pass: `No new tamper findings and a recent sweep on all ${pods} Audit pods (the sweep covers rows ingested in the last 4 h plus a full sweep at Audit start).`,
        lead: 'Audit tamper sweep',
      }),
    ),
};
