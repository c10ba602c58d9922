// audit.chain: recompute every zone's tamper chain in audit_events, end to end. Caracal's own sweep only
// covers an ingested_at window and ignores chain_seq gaps (caracal-ops.md §5.3, §13.7); this reads it all.
import { POSTGRES_NOT_CONFIGURED, sqlState } from '../checks/postgres/shared.ts';
import type { ChainFinding } from '../domain/chain-verification.ts';
import type { CheckContext, CheckDefinition, CheckOutcome } from '../checks/types.ts';
import { parseHmacKey } from './chain.ts';
import { pgCopyClient } from './copy-client.ts';
import { NO_KEY_NOTE, type BreakKind, type VerifyReport, type ZoneReport } from './report.ts';
import { retentionBoundary } from './retention-boundary.ts';
import { verifyAuditChains, type VerifyProgress } from './verify.ts';

/** What each kind most likely means, for the person reading the summary. */
const MEANING: Record<BreakKind, string> = {
  content_mismatch: 'a field was changed after insert',
  broken_link: 'prev_content_sha256 does not match the row before it (rows deleted, inserted or reordered)',
  hmac_mismatch:
    'chain_hmac does not authenticate the stored hashes (hashes recomputed without the key, or Audit wrote with another key or none)',
  seq_gap: 'chain_seq skips or repeats (a row deleted, inserted or moved)',
  missing_chain:
    'the row has no chain_seq: written outside the chain (by hand, or by an Audit that did not chain it); Caracal counts it as a mismatch',
};

// Enough to act on in a Slack thread; the counts say how many more there are.
const MAX_ZONE_LINES = 10;

function zoneLine(z: ZoneReport): string {
  const unchained = z.unchainedRows > 0 ? ` and ${z.unchainedRows} without chain_seq` : '';
  const head = `zone ${z.zoneId}: ${z.rowsChecked} rows from chain_seq ${z.firstSeq ?? '-'}${unchained}`;
  if (!z.firstBreak) return `${head}, intact`;
  const b = z.firstBreak;
  return `${head}, ${z.brokenRows} broken; first at id=${b.id} chain_seq=${b.chainSeq}: ${b.kinds.join(' + ')}`;
}

/** A line saying how far the verification is, for whoever asks while it runs (the lease's progress). */
export type ProgressSink = (line: string) => void;

/**
 * How many zones the COPY will walk: distinct zone_id by one probe of Caracal's (zone_id, chain_seq) index per zone
 * (a loose index scan), not a scan of the table. Bounded by the pool's statement timeout like every query.
 */
const ZONE_COUNT_SQL = `WITH RECURSIVE z AS (
    (SELECT zone_id FROM public.audit_events ORDER BY zone_id LIMIT 1)
    UNION ALL
    SELECT (SELECT e.zone_id FROM public.audit_events e WHERE e.zone_id > z.zone_id ORDER BY e.zone_id LIMIT 1) FROM z WHERE z.zone_id IS NOT NULL
  ) SELECT count(zone_id)::int AS zones FROM z`;

export function progressLine(p: VerifyProgress, zonesTotal: number | undefined): string {
  // A zone written after the count was taken can make the COPY walk one more than counted.
  const of = zonesTotal === undefined ? '' : ` of ${Math.max(zonesTotal, p.zonesDone)}`;
  return `${p.zonesDone}${of} zones done, ${p.rowsChecked.toLocaleString('en-US')} rows checked`;
}

/** Every zone through one COPY on a connection of its own (verify.ts), with the target's settings. */
async function verify(
  ctx: CheckContext,
  url: string,
  keyHex: string | undefined,
  signal: AbortSignal,
  progress: ProgressSink | undefined,
): Promise<VerifyReport> {
  const { ssl, statementTimeoutMs } = ctx.caracal.postgres;
  const reader = pgCopyClient({ url, password: ctx.secrets.postgresPassword, ssl, statementTimeoutMs });
  // The total is asked once the COPY delivers (a Caracal that does not answer gets no second connection) and arrives
  // while it runs, never delaying it; until then, or if the count fails, progress says zones done without "of".
  let zonesTotal: number | undefined;
  let asked = false;
  const onProgress =
    progress &&
    ((p: VerifyProgress): void => {
      if (!asked && ctx.postgres) {
        asked = true;
        void ctx.postgres.query<{ zones: number }>(ZONE_COUNT_SQL).then(
          (rows) => void (zonesTotal = rows[0]?.zones),
          () => undefined,
        );
      }
      progress(progressLine(p, zonesTotal));
    });
  try {
    return await verifyAuditChains(reader, { hmacKeyHex: keyHex, signal, onProgress });
  } finally {
    await reader.end();
  }
}

function outcomeOf(report: VerifyReport, noKey: string, boundary: ReadonlyMap<string, string> = new Map()): CheckOutcome {
  const atBoundary = report.zones.filter((z) => z.firstBreak !== null && boundary.has(z.zoneId));
  const broken = report.zones.filter((z) => z.firstBreak !== null && !boundary.has(z.zoneId));
  const truncated = report.zones.filter((z) => z.firstSeq !== null && z.firstSeq !== '1');
  const metrics = {
    rowsChecked: report.rowsChecked,
    zones: report.zones.length,
    brokenZones: broken.length,
    brokenRows: broken.reduce((n, z) => n + z.brokenRows, 0),
    durationMs: report.durationMs,
    rowsPerSecond: report.durationMs > 0 ? Math.round((report.rowsChecked * 1000) / report.durationMs) : null,
    hmacChecked: report.hmacChecked,
  };
  const shown = [...broken, ...report.zones.filter((z) => !z.firstBreak)].slice(0, MAX_ZONE_LINES);
  const evidence = [
    `read ${report.rowsChecked} rows of public.audit_events in ${report.zones.length} zones in ${report.durationMs} ms`,
    ...shown.map(zoneLine),
    ...(report.zones.length > shown.length ? [`(${report.zones.length - shown.length} more zones not shown)`] : []),
    ...(truncated.length > 0
      ? [
          `${truncated.length} zone(s) start after chain_seq 1: older rows were dropped by retention or deleted; ` +
            'the link into their oldest row cannot be checked',
        ]
      : []),
    ...atBoundary.map(
      (z) =>
        `zone ${z.zoneId}: ${z.brokenRows} link break(s) at the retention boundary: the first rows of the oldest retained month (${boundary.get(z.zoneId) ?? '?'}) point at rows retention dropped`,
    ),
    ...report.notes,
  ];
  const first = broken[0];
  if (first?.firstBreak) {
    const b = first.firstBreak;
    return {
      status: 'fail',
      summary:
        `Audit chain broken in ${broken.length} of ${report.zones.length} zones: zone ${first.zoneId}, ` +
        `row id=${b.id} (chain_seq ${b.chainSeq}), ${b.kind}: ${MEANING[b.kind]}.${noKey}`,
      metrics,
      evidence,
      remedy:
        'Treat the evidence as tampered: do not resume. Copy the affected audit_events partitions (pg_dump) before ' +
        'anything writes to them, compare the rows with the Parquet export or a backup, and escalate to security.',
      matrix: ['audit'],
    };
  }
  if (atBoundary.length > 0) {
    const z = atBoundary[0];
    return {
      status: 'warn',
      summary:
        `Audit chain breaks only at the retention boundary: ${atBoundary.length} zone(s), e.g. zone ${z?.zoneId}, where the first ` +
        `rows of the oldest retained month (${boundary.get(z?.zoneId ?? '') ?? '?'}) link to rows dropped by retention (it drops whole months). ` +
        `Content hashes${report.hmacChecked ? ' and chain HMACs' : ''} of those rows verify: this is not tampering.${noKey}`,
      metrics,
      evidence,
      remedy:
        'Confirm the retention setting (AUDIT_RETENTION_DAYS) matches the dropped months; compare with the Parquet export if one exists.',
      matrix: [],
    };
  }
  if (report.rowsChecked === 0) {
    return { status: 'warn', summary: `audit_events has no rows, so there is no chain to verify.${noKey}`, metrics, evidence };
  }
  const what = report.hmacChecked ? 'content hashes, links, chain_seq and chain_hmac' : 'content hashes, links and chain_seq';
  return {
    status: 'pass',
    summary: `All ${report.rowsChecked} audit rows in ${report.zones.length} zones verify (${what}).${noKey}`,
    metrics,
    evidence,
  };
}

/** What a recovery run keeps of a verification that read the chain: clean or not, and where each zone first broke. */
export interface ChainVerificationSummary {
  clean: boolean;
  hmacChecked: boolean;
  rowsChecked: number;
  findings: ChainFinding[];
}

/** Breaks at the retention boundary are explained (not tampering), so they are not findings. */
function summaryOf(report: VerifyReport, boundary: ReadonlyMap<string, string>): ChainVerificationSummary {
  const findings = report.zones
    .filter((z) => z.firstBreak !== null && !boundary.has(z.zoneId))
    .map((z) => ({ zoneId: z.zoneId, rowId: z.firstBreak!.id, chainSeq: z.firstBreak!.chainSeq, kinds: [...z.firstBreak!.kinds] }));
  return { clean: findings.length === 0, hmacChecked: report.hmacChecked, rowsChecked: report.rowsChecked, findings };
}

/** The check's outcome, and (when the chain could be read) the summary a run records as evidence for Resume. */
export async function deepVerification(
  ctx: CheckContext,
  signal: AbortSignal,
  progress?: ProgressSink,
): Promise<{ outcome: CheckOutcome; summary?: ChainVerificationSummary }> {
  let summary: ChainVerificationSummary | undefined;
  const outcome = await runDeep(ctx, signal, (s) => void (summary = s), progress);
  return summary ? { outcome, summary } : { outcome };
}

export const auditChainDeep: CheckDefinition = {
  id: 'audit.chain',
  title: 'Audit chain (deep verification)',
  gates: ['safety'],
  reads: 'public.audit_events: every row of every zone in chain_seq order (content hash, link, chain_seq, chain_hmac)',
  run: (ctx, signal) => runDeep(ctx, signal, () => undefined, undefined),
};

async function runDeep(
  ctx: CheckContext,
  signal: AbortSignal,
  keep: (s: ChainVerificationSummary) => void,
  progress: ProgressSink | undefined,
): Promise<CheckOutcome> {
  const pg = ctx.postgres;
  const url = ctx.caracal.postgres.url;
  if (!pg || !url) return POSTGRES_NOT_CONFIGURED;
  const keyHex = ctx.secrets.auditHmacKey;
  try {
    if (keyHex) parseHmacKey(keyHex);
  } catch {
    return {
      status: 'fail',
      summary: 'CARACAL_AUDIT_HMAC_KEY is not valid hex, so the audit chain cannot be checked against it.',
      remedy: "Set CARACAL_AUDIT_HMAC_KEY to Audit's AUDIT_HMAC_KEY exactly (hex, as Caracal requires), then re-run.",
    };
  }
  try {
    const report = await verify(ctx, url, keyHex, signal, progress);
    const boundary = new Map<string, string>();
    for (const zone of report.zones) {
      const month = await retentionBoundary(pg, zone);
      if (month !== undefined) boundary.set(zone.zoneId, month);
    }
    keep(summaryOf(report, boundary));
    return outcomeOf(report, keyHex ? '' : ` ${NO_KEY_NOTE}`, boundary);
  } catch (err) {
    if (sqlState(err) !== '42P01') throw err;
    return {
      status: 'fail',
      summary: 'public.audit_events does not exist, so the audit chain cannot be checked.',
      remedy: 'Run postgres.tables and postgres.migrations: the schema is incomplete.',
      matrix: ['postgres'],
    };
  }
}
