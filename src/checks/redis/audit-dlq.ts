// audit.dlq: audit events Audit could not ingest (caracal-ops.md §5.2). Every entry is missing evidence, so any
// entry fails; the detail that matters is which ones the replay endpoint will take back and which must never be.
import { isReplayableEntry, isReplayableKind, isReplayableReason } from './replay-rules.ts';
import type { RedisTarget } from '../targets/redis.ts';
import type { CheckContext, CheckDefinition, CheckOutcome } from '../types.ts';
import { baselineLabel, idAtOrBefore, residueBoundary } from '../residue/baseline.ts';
import { AUDIT_DLQ } from './caracal-streams.ts';
import { isIntegrityReason, reasonKind } from './dlq-reasons.ts';
import * as info from './stream-info.ts';

/** As many entries as we classify; the replay endpoint also reads from the start, so the head is what matters. */
const SCAN = 1000;

type EntryClass = 'replayable' | 'integrity' | 'other';

/** The replay endpoint's own rule: a replayable reason and the original payload to send back. */
function classify(entry: info.StreamEntry): { cls: EntryClass; label: string } {
  const kind = reasonKind(entry.fields.reason);
  if (isIntegrityReason(entry.fields.reason)) return { cls: 'integrity', label: kind };
  if (!isReplayableKind(kind)) return { cls: 'other', label: kind };
  if (isReplayableEntry(entry.fields)) return { cls: 'replayable', label: kind };
  // Audit's rule is strict: the prefix must be followed by a colon, and src_data must not be blank.
  return { cls: 'other', label: isReplayableReason(entry.fields.reason) ? `${kind} (no src_data)` : `${kind} (no colon after the reason)` };
}

/** `1 entry`, `2 entries`: a count with its noun in the right number. */
function counted(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

function countLine(counts: Map<string, number>): string {
  return [...counts].map(([k, n]) => `${k} ${n}`).join(', ');
}

async function check(ctx: CheckContext, redis: RedisTarget): Promise<CheckOutcome> {
  const length = Number(await redis.command('XLEN', AUDIT_DLQ));
  if (length === 0) {
    return {
      status: 'pass',
      summary: `${AUDIT_DLQ} is empty: no audit event is waiting for replay.`,
      metrics: { 'dlq.length': 0 },
      evidence: [`XLEN ${AUDIT_DLQ} = 0.`],
    };
  }
  const read = info.parseEntries(await redis.command('XRANGE', AUDIT_DLQ, '-', '+', 'COUNT', SCAN));
  const { entries, residue } = splitResidue(ctx, read);
  if (residue.length > 0 && entries.length === 0 && length === residue.length) return residueOnly(ctx, residue);
  const classes = new Map<EntryClass, number>([
    ['replayable', 0],
    ['integrity', 0],
    ['other', 0],
  ]);
  const reasons = new Map<string, number>();
  for (const entry of entries) {
    const { cls, label } = classify(entry);
    classes.set(cls, classes.get(cls)! + 1);
    reasons.set(label, (reasons.get(label) ?? 0) + 1);
  }
  // Replay scans the first N entries every run, so non-replayable entries at the head use up the limit.
  const firstReplayable = read.findIndex((e) => classify(e).cls === 'replayable');
  const head = firstReplayable === -1 ? read.length : firstReplayable;
  const oldest = entries[0];
  const oldestAgeSeconds = oldest ? Math.max(0, Math.round((ctx.now().getTime() - info.entryIdMs(oldest.id)) / 1000)) : null;
  const partial = length > read.length;
  const scope = partial ? ` (classification covers the first ${read.length} of ${length})` : '';
  const [replayable, integrity, other] = [classes.get('replayable')!, classes.get('integrity')!, classes.get('other')!];

  const remedy: string[] = [];
  if (replayable > 0) {
    remedy.push(
      `Replay the ${counted(replayable, 'replayable entry', 'replayable entries')} with POST /api/audit/dlq/replay?limit=N on Audit (Audit admin ` +
        'token); it re-adds {data, sig} to caracal.audit.events and deletes each replayed entry.',
    );
  }
  if (replayable > 0 && head > 0) {
    remedy.push(
      `Each run scans the first N entries from the start and skips what it cannot replay; ` +
        `${counted(head, 'non-replayable entry comes', 'non-replayable entries come')} first, so N must exceed ${head} or the replay does nothing.`,
    );
  } else if (replayable === 0 && partial) {
    remedy.push(`None of the first ${read.length} entries is replayable: a replay needs limit > ${read.length}.`);
  }
  if (integrity > 0) {
    remedy.push(
      `The ${counted(integrity, 'integrity failure')} (hmac_verify_failed, tamper_on_replay, json_parse_error, ` +
        'missing_data_field) must be investigated, never replayed: the payload may be forged or tampered with. ' +
        'Keep them as evidence and check the tamper chain.',
    );
  }
  if (other > 0) {
    remedy.push(
      `Inspect the ${counted(other, 'other entry', 'other entries')} by hand (GET /api/audit/dlq on Audit): replay skips ${other === 1 ? 'it' : 'them'}.`,
    );
  }

  const old =
    residue.length > 0
      ? ` (plus ${counted(residue.length, 'integrity entry', 'integrity entries')} from before the incident, not judged)`
      : '';
  return {
    status: 'fail',
    summary:
      `${counted(length - residue.length, 'audit event')} in the DLQ${scope}: ${replayable} replayable, ${counted(integrity, 'integrity failure')}, ` +
      `${other} other; oldest ${oldestAgeSeconds ?? '?'} s old${old}.`,
    metrics: {
      'dlq.length': length,
      'dlq.residue': residue.length,
      'dlq.scanned': entries.length,
      'dlq.replayable': replayable,
      'dlq.integrity': integrity,
      'dlq.other': other,
      'dlq.nonReplayableHead': head,
      'dlq.oldestAgeSeconds': oldestAgeSeconds,
    },
    evidence: [
      `XLEN ${AUDIT_DLQ} = ${length}; XRANGE - + COUNT ${SCAN} read ${read.length}.`,
      `By reason: ${countLine(reasons)}.`,
      ...(oldest ? [`Oldest entry ${oldest.id}, reason ${oldest.fields.reason ?? 'none'}.`] : []),
    ],
    remedy: remedy.join(' '),
    matrix: ['audit'],
    findings: (['replayable', 'integrity', 'other'] as const).filter((c) => classes.get(c)! > 0),
  };
}

/**
 * With a residue baseline, integrity entries recorded before the incident are old residue (nothing in Caracal removes
 * them, §15.2.4): shown, not judged. Replayable entries are judged whatever their age: the replay action fixes them.
 */
function splitResidue(ctx: CheckContext, read: info.StreamEntry[]): { entries: info.StreamEntry[]; residue: info.StreamEntry[] } {
  const baseline = ctx.incident?.residue;
  if (!baseline) return { entries: read, residue: [] };
  const boundary = residueBoundary(baseline, baseline.auditDlq).id;
  const isResidue = (e: info.StreamEntry) => classify(e).cls === 'integrity' && idAtOrBefore(e.id, boundary);
  return { entries: read.filter((e) => !isResidue(e)), residue: read.filter(isResidue) };
}

function residueOnly(ctx: CheckContext, residue: info.StreamEntry[]): CheckOutcome {
  const label = ctx.incident?.residue ? baselineLabel(ctx.incident.residue) : 'baseline';
  const reasons = new Map<string, number>();
  for (const e of residue) reasons.set(reasonKind(e.fields.reason), (reasons.get(reasonKind(e.fields.reason)) ?? 0) + 1);
  return {
    status: 'pass',
    summary: `${counted(residue.length, 'integrity entry', 'integrity entries')} in the DLQ from before the incident (${label}), none new.`,
    findings: ['residue'],
    metrics: { 'dlq.length': residue.length, 'dlq.residue': residue.length, 'dlq.replayable': 0, 'dlq.integrity': 0, 'dlq.other': 0 },
    evidence: [
      `XLEN ${AUDIT_DLQ} = ${residue.length}, all recorded in the run's residue baseline (${label}).`,
      `Old residue by reason: ${countLine(reasons)}; ids ${residue
        .slice(0, 5)
        .map((e) => e.id)
        .join(', ')}${residue.length > 5 ? ', …' : ''}.`,
      'Caracal never replays or removes them: keep them as evidence with the break-glass step "Export and remove residue" (XRANGE into the incident log, then XDEL).',
    ],
  };
}

export const auditDlq: CheckDefinition = {
  id: 'audit.dlq',
  title: 'Audit dead-letter queue',
  gates: ['evidence'],
  reads: `XLEN and XRANGE (first ${SCAN}) of ${AUDIT_DLQ}, classified by reason`,
  run: (ctx) => info.withRedis(ctx, (redis) => check(ctx, redis)),
};
