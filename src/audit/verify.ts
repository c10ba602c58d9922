// Deep verification of Caracal's per-zone audit chains: every row of every zone, in chain order, in constant
// memory (one batch per zone at a time). Unlike Caracal's own sweep it walks the whole table, not an
// ingested_at window, and it also checks chain_seq continuity (caracal-ops.md §5.3, §13.7).
// This is the reference: the audit.chain check runs copy-verify.ts, which tests hold to the same reports.
import { chainHmacWithKey, contentHash, parseHmacKey, type AuditRow, type HmacKey } from './chain.ts';

/** Where rows come from (SQL, or Audit's search API): zones, then each zone's rows in chain order, batched. */
export interface AuditSource {
  zones(signal?: AbortSignal): Promise<string[]>;
  /** The zone's rows ordered by chain_seq (then id); each batch may be dropped once the next is asked for. */
  batches(zoneId: string, signal?: AbortSignal): AsyncIterable<readonly AuditRow[]>;
  /** The zone's rows whose chain_seq is NULL (outside every chain): how many, and the first by id. */
  unchained(zoneId: string, signal?: AbortSignal): Promise<Unchained>;
}

export interface Unchained {
  count: number;
  firstId: string | null;
}

/**
 * content_mismatch: the row's fields no longer hash to its content_sha256 (a field was edited).
 * broken_link: prev_content_sha256 is not the previous row's content_sha256 (NULL expected at chain_seq 1).
 * hmac_mismatch: chain_hmac does not authenticate (content_sha256, prev_content_sha256) under the key.
 * seq_gap: chain_seq is not the previous row's + 1 (a row deleted, inserted or moved).
 * missing_chain: chain_seq is NULL. Caracal's sweep reads it as COALESCE(chain_seq, 0), so the row is a mismatch that
 *   sorts before the chain's first row, never a row to skip (caracal-ops.md §15.2.2).
 */
export const BREAK_KINDS = ['content_mismatch', 'broken_link', 'hmac_mismatch', 'seq_gap', 'missing_chain'] as const;
export type BreakKind = (typeof BREAK_KINDS)[number];

export interface ChainBreak {
  id: string;
  /** Decimal text, so the report stays JSON-serialisable (JSON has no bigint). */
  chainSeq: string;
  /** The first of `kinds`, in BREAK_KINDS order. */
  kind: BreakKind;
  kinds: BreakKind[];
}

export interface ZoneReport {
  zoneId: string;
  rowsChecked: number;
  /** Rows with at least one break; rows after a break are still checked, each against its own neighbour. */
  brokenRows: number;
  firstBreak: ChainBreak | null;
  /** The chain_seq of the zone's oldest row; above 1 means older rows are gone (retention drops, or deletion). */
  firstSeq: string | null;
  /** Every kind of break found in the zone, in the order first seen. */
  kindsSeen: BreakKind[];
  /** Rows with a NULL chain_seq: each counted in brokenRows, and the first of them is the zone's first break. */
  unchainedRows: number;
}

/** Count a zone's unchained rows into its report: they come first in Caracal's order (chain_seq 0). */
export function addUnchained(report: ZoneReport, unchained: Unchained): void {
  report.unchainedRows = unchained.count;
  if (unchained.count === 0) return;
  report.brokenRows += unchained.count;
  report.firstBreak = { id: unchained.firstId ?? '?', chainSeq: 'NULL', kind: 'missing_chain', kinds: ['missing_chain'] };
  if (!report.kindsSeen.includes('missing_chain')) report.kindsSeen.push('missing_chain');
}

export interface VerifyReport {
  ok: boolean;
  zones: ZoneReport[];
  rowsChecked: number;
  hmacChecked: boolean;
  /** Plain sentences for people: what was not checked and why. */
  notes: string[];
  durationMs: number;
}

export interface VerifyOptions {
  /** AUDIT_HMAC_KEY (hex). Without it only hashes, links and sequence are checked, and the report says so. */
  hmacKeyHex?: string | undefined;
  signal?: AbortSignal | undefined;
}

export const NO_KEY_NOTE =
  'chain_hmac was NOT checked: no AUDIT_HMAC_KEY was given, so only content hashes, links and chain_seq were ' +
  'verified. Someone able to write audit_events could rewrite rows and recompute the hashes undetected.';

interface Previous {
  content: string;
  seq: bigint;
}

/** Every break kind of one row, given the row before it in the zone (undefined for the zone's oldest row). */
function breaksOf(row: AuditRow, previous: Previous | undefined, key: HmacKey | undefined): BreakKind[] {
  const kinds: BreakKind[] = [];
  if (contentHash(row) !== row.content_sha256) kinds.push('content_mismatch');
  if (previous) {
    if (row.prev_content_sha256 !== previous.content) kinds.push('broken_link');
  } else if ((row.chain_seq === 1n) !== (row.prev_content_sha256 === null)) {
    // Caracal writes NULL exactly at chain_seq 1. A later oldest row (retention dropped the rows before it)
    // must still point somewhere, though what it points to can no longer be checked.
    kinds.push('broken_link');
  }
  // Like Caracal's sweep, the HMAC authenticates the stored pair; the link check covers the previous row.
  if (key && chainHmacWithKey(key, row.content_sha256, row.prev_content_sha256) !== row.chain_hmac) {
    kinds.push('hmac_mismatch');
  }
  if (previous ? row.chain_seq !== previous.seq + 1n : row.chain_seq < 1n) kinds.push('seq_gap');
  return kinds;
}

async function verifyZone(
  source: AuditSource,
  zoneId: string,
  key: HmacKey | undefined,
  signal: AbortSignal | undefined,
): Promise<ZoneReport> {
  const report: ZoneReport = { zoneId, rowsChecked: 0, brokenRows: 0, firstBreak: null, firstSeq: null, unchainedRows: 0, kindsSeen: [] };
  let previous: Previous | undefined;
  for await (const batch of source.batches(zoneId, signal)) {
    signal?.throwIfAborted();
    for (const row of batch) {
      const kinds = breaksOf(row, previous, key);
      if (previous === undefined) report.firstSeq = row.chain_seq.toString();
      report.rowsChecked++;
      if (kinds.length > 0) {
        report.brokenRows++;
        for (const k of kinds) if (!report.kindsSeen.includes(k)) report.kindsSeen.push(k);
        report.firstBreak ??= { id: row.id, chainSeq: row.chain_seq.toString(), kind: kinds[0], kinds };
      }
      // Reused rather than reallocated: one object per zone instead of one per row.
      if (previous) {
        previous.content = row.content_sha256;
        previous.seq = row.chain_seq;
      } else previous = { content: row.content_sha256, seq: row.chain_seq };
    }
  }
  addUnchained(report, await source.unchained(zoneId, signal));
  return report;
}

/** Walk every zone's chain, one zone after another, and report per zone and in total. */
export async function verifyAuditChains(source: AuditSource, options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = performance.now();
  // Parse first: a malformed key must fail loudly before any row is read, not flag every row.
  const key = options.hmacKeyHex ? parseHmacKey(options.hmacKeyHex) : undefined;
  const zones: ZoneReport[] = [];
  for (const zoneId of await source.zones(options.signal)) {
    options.signal?.throwIfAborted();
    zones.push(await verifyZone(source, zoneId, key, options.signal));
  }
  return chainReport(zones, key !== undefined, started);
}

/** The whole report from its zones: shared by the cursor reference and the COPY reader. */
export function chainReport(zones: ZoneReport[], hmacChecked: boolean, started: number): VerifyReport {
  return {
    ok: zones.every((z) => z.firstBreak === null),
    zones,
    rowsChecked: zones.reduce((n, z) => n + z.rowsChecked, 0),
    hmacChecked,
    notes: hmacChecked ? [] : [NO_KEY_NOTE],
    durationMs: Math.round(performance.now() - started),
  };
}
