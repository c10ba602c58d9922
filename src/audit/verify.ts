// Deep verification of Caracal's per-zone audit chains: every row of every zone, in chain order, in constant
// memory. Unlike Caracal's own sweep it walks the whole table, not an ingested_at window, and it also checks
// chain_seq continuity (caracal-ops.md §5.3, §13.7). The one verifier: the audit.chain check (so the CLI's
// --deep and the Safety gate's "Verify audit chain") and bench/deep-verify.ts all run verifyAuditChains.
import { parseHmacKey } from './chain.ts';
import { CopyBinaryBatcher } from './copy-binary.ts';
import type { CopyReader } from './copy-client.ts';
import { chainReport, type VerifyReport, type ZoneReport } from './report.ts';
import { CHECKED_COLUMNS, COLUMN_COUNT, mergeBatch, RowChecker } from './row-check.ts';

/**
 * The whole table in one COPY, zone after zone, each in chain order with its rows without chain_seq last.
 * - One statement with constant text: no zone id or keyset value is ever part of the SQL (COPY takes no bind
 *   parameters, and zone ids are data whoever can write audit_events chooses), and no per-page round trips.
 * - zone_id DESC, chain_seq ASC is Caracal's index (zone_id, chain_seq DESC) read backwards, so Postgres streams
 *   rows in order with no sort of the table (an incremental sort only orders ids within a chain_seq). Zones
 *   arrive in descending order; the report lists them ascending.
 * - Binary format: length-prefixed fields (nothing to unescape), and occurred_at as exact integer microseconds.
 * - `, e.id` keeps two rows sharing a chain_seq (a forged insert) in a stable order.
 */
export const SWEEP_SQL = `COPY (SELECT ${CHECKED_COLUMNS} FROM public.audit_events e
  ORDER BY e.zone_id DESC, e.chain_seq ASC NULLS LAST, e.id) TO STDOUT (FORMAT binary)`;

/** How far a verification is: zones finished, and rows read so far (the current zone's included). */
export interface VerifyProgress {
  zonesDone: number;
  rowsChecked: number;
}

export interface VerifyOptions {
  /** AUDIT_HMAC_KEY (hex). Without it only hashes, links and sequence are checked, and the report says so. */
  hmacKeyHex?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Told after every chunk of the COPY (cheap to call often; whoever shows it throttles). */
  onProgress?: ((progress: VerifyProgress) => void) | undefined;
}

const rowsOf = (z: ZoneReport): number => z.rowsChecked + z.unchainedRows;
/** Bytes of COPY data checked at a time. */
const BATCH_BYTES = 512 * 1024;

/** Walk every zone's chain through `reader` and report per zone and in total. */
export async function verifyAuditChains(reader: CopyReader, options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = performance.now();
  // Parse first: a malformed key must fail loudly before any row is read, not flag every row.
  const key = options.hmacKeyHex ? parseHmacKey(options.hmacKeyHex) : undefined;
  const checker = new RowChecker(key && new Uint8Array(key.export()));
  // Batch by batch: the unit a worker thread can check on its own (row-check.ts).
  const zones: ZoneReport[] = [];
  const batcher: CopyBinaryBatcher = new CopyBinaryBatcher(COLUMN_COUNT, BATCH_BYTES, (batch) => {
    mergeBatch(zones, checker.check(Buffer.from(batch.buffer), batch.start, batch.contextEnd, batch.end).zones);
    batcher.recycle(batch.buffer);
  });
  const { onProgress } = options;
  // Rows of finished zones are summed once each, so telling progress stays O(1) per chunk however many zones.
  let zonesDone = 0;
  let rowsDone = 0;
  const told = (): void => {
    for (; zonesDone < zones.length - 1; zonesDone++) rowsDone += rowsOf(zones[zonesDone]);
    const current = zones[zones.length - 1];
    onProgress?.({ zonesDone, rowsChecked: rowsDone + (current ? rowsOf(current) : 0) });
  };
  await reader.copyOut(SWEEP_SQL, (chunk) => {
    batcher.push(chunk);
    if (onProgress) told();
  }, options.signal);
  batcher.end();
  return chainReport(zones.reverse(), key !== undefined, started);
}
