// The residue baseline: what Caracal's only-growing stores held when a recovery run started (or when the CLI was
// asked to remember it), so the checks can judge what is new since the incident and show the rest as old residue
// (caracal-ops.md §15.2.4): `.dead` stream lengths and last ids, Audit DLQ integrity entries, STS compile_errors,
// Audit tamper counters (a lower value later means the process restarted, §14.3).
import { z } from 'zod';
import { TargetError } from '../../errors.ts';
import { count, podLabel, readMetricsJson } from '../http/metrics-json.ts';
import { AUDIT_DLQ, DEAD } from '../redis/caracal-streams.ts';
import { isIntegrityReason } from '../redis/dlq-reasons.ts';
import * as info from '../redis/stream-info.ts';
import type { RedisTarget } from '../targets/redis.ts';
import type { CheckContext } from '../types.ts';
import type { ChainVerificationRecord } from '../../domain/chain-verification.ts';

const streamMark = z.object({ length: z.number().int().nonnegative(), lastId: z.string().nullable() });
const tamperMark = z.object({ sum: z.number().int().nonnegative(), lastFullUnix: z.number().nonnegative() });

export const residueBaselineSchema = z
  .object({
    v: z.literal(1),
    takenAt: z.string().datetime(),
    /** Per `.dead` stream; absent when Redis could not be read (entry ids before takenAt then count as old). */
    deadStreams: z.record(z.string(), streamMark).optional(),
    /** The Audit DLQ: its last id, and how many integrity entries it held. */
    auditDlq: streamMark.extend({ integrity: z.number().int().nonnegative() }).optional(),
    /** STS opa.compile_errors per STS URL read. */
    stsCompileErrors: z.record(z.string(), z.number().int().nonnegative()),
    /** Audit tamper counters (mismatches + chain breaks + HMAC failures) and last full sweep, per Audit URL read. */
    tamper: z.record(z.string(), tamperMark),
    /** What could not be read when the baseline was taken, in plain words. */
    unread: z.array(z.string()),
  })
  .strict();
export type ResidueBaseline = z.infer<typeof residueBaselineSchema>;

/** How long taking a baseline may delay the start of a run: Caracal may be the thing that is down. */
export const BASELINE_TIMEOUT_MS = 5000;

const stsMetrics = z.object({ opa: z.object({ compile_errors: count }) });
const auditMetrics = z.object({
  tamper_mismatch_total: count,
  tamper_chain_breaks: count,
  tamper_hmac_failures: count,
  tamper_last_full_unix: count,
});

async function lastId(redis: RedisTarget, stream: string): Promise<string | null> {
  const [last] = info.parseEntries(await redis.command('XREVRANGE', stream, '+', '-', 'COUNT', 1));
  return last?.id ?? null;
}

async function readStreams(redis: RedisTarget): Promise<Pick<ResidueBaseline, 'deadStreams' | 'auditDlq'>> {
  const deadStreams: Record<string, z.infer<typeof streamMark>> = {};
  for (const stream of DEAD) {
    deadStreams[stream] = { length: Number(await redis.command('XLEN', stream)), lastId: await lastId(redis, stream) };
  }
  const entries = info.parseEntries(await redis.command('XRANGE', AUDIT_DLQ, '-', '+', 'COUNT', 1000));
  const integrity = entries.filter((e) => isIntegrityReason(e.fields.reason)).length;
  return {
    deadStreams,
    auditDlq: { length: Number(await redis.command('XLEN', AUDIT_DLQ)), lastId: await lastId(redis, AUDIT_DLQ), integrity },
  };
}

/** Reads everything it can; a part that cannot be read is named in `unread` and judged by time instead. */
export async function captureBaseline(ctx: CheckContext, signal: AbortSignal): Promise<ResidueBaseline> {
  const unread: string[] = [];
  let streams: Pick<ResidueBaseline, 'deadStreams' | 'auditDlq'> = {};
  if (!ctx.redis) unread.push('Redis (not configured)');
  else {
    try {
      streams = await readStreams(ctx.redis);
    } catch (err) {
      if (!(err instanceof TargetError)) throw err;
      unread.push(`Redis (${err.message})`);
    }
  }
  const stsCompileErrors: Record<string, number> = {};
  const tamper: Record<string, z.infer<typeof tamperMark>> = {};
  await Promise.all([
    ...ctx.caracal.services.sts.map(async (url) => {
      const read = await readMetricsJson(ctx, url, stsMetrics, signal);
      if (read.ok) stsCompileErrors[url] = read.value.opa.compile_errors;
      else unread.push(`${podLabel('sts', url)} compile errors (${read.problem})`);
    }),
    ...ctx.caracal.services.audit.map(async (url) => {
      const read = await readMetricsJson(ctx, url, auditMetrics, signal);
      if (!read.ok) return void unread.push(`${podLabel('audit', url)} tamper counters (${read.problem})`);
      const m = read.value;
      tamper[url] = {
        sum: m.tamper_mismatch_total + m.tamper_chain_breaks + m.tamper_hmac_failures,
        lastFullUnix: m.tamper_last_full_unix,
      };
    }),
  ]);
  return { v: 1, takenAt: ctx.now().toISOString(), ...streams, stsCompileErrors, tamper, unread };
}

/** The run (or CLI invocation) a check is judged for: since when, and against which residue. */
export interface IncidentScope {
  /** The incident's start as far as the bot knows: the run's start. */
  startedAt: Date;
  residue: ResidueBaseline | undefined;
  /** The run's latest deep chain verification, when one was recorded. */
  verification?: ChainVerificationRecord | undefined;
}

/** The stream id boundary: entries with an id at or before it are residue from before the incident. */
export function residueBoundary(baseline: ResidueBaseline, mark: { lastId: string | null } | undefined): { id: string; byTime: boolean } {
  if (mark) return { id: mark.lastId ?? '0-0', byTime: false };
  return { id: `${Date.parse(baseline.takenAt)}-0`, byTime: true };
}

/** Stream ids compare by milliseconds, then sequence. */
export function idAtOrBefore(id: string, boundary: string): boolean {
  const [ms, seq] = id.split('-').map((p) => BigInt(p || '0'));
  const [bms, bseq] = boundary.split('-').map((p) => BigInt(p || '0'));
  return ms < bms || (ms === bms && (seq ?? 0n) <= (bseq ?? 0n));
}

/** "baseline 03:01" for messages: the time the residue was recorded, UTC. */
export function baselineLabel(baseline: ResidueBaseline): string {
  return `baseline ${baseline.takenAt.slice(11, 16)} UTC`;
}

/** The baseline in a few plain lines, for the incident log. */
export function describeBaseline(b: ResidueBaseline): string[] {
  const lines: string[] = [];
  if (b.deadStreams) {
    const held = Object.entries(b.deadStreams).filter(([, m]) => m.length > 0);
    lines.push(
      held.length === 0
        ? 'dead-letter streams: empty'
        : `dead-letter streams: ${held.map(([s, m]) => `${s} ${m.length} (last id ${m.lastId ?? '-'})`).join(', ')}`,
    );
  }
  if (b.auditDlq)
    lines.push(
      `Audit DLQ: ${b.auditDlq.length} entries, ${b.auditDlq.integrity} with integrity reasons (last id ${b.auditDlq.lastId ?? '-'})`,
    );
  const compile = Object.entries(b.stsCompileErrors);
  if (compile.length > 0) lines.push(`STS compile_errors: ${compile.map(([, n]) => n).join(', ')} on ${compile.length} pod(s)`);
  const tamper = Object.entries(b.tamper);
  if (tamper.length > 0) lines.push(`Audit tamper findings: ${tamper.map(([, t]) => t.sum).join(', ')} on ${tamper.length} pod(s)`);
  for (const u of b.unread) lines.push(`not read: ${u}`);
  return lines;
}
