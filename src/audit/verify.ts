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
 *   rows in order with no sort at all. Zones arrive in descending order; the report lists them ascending.
 * - Rows sharing a chain_seq (a forged insert), and a zone's rows without one, come in index order, not by id:
 *   ordering them would cost an incremental sort of every row, a fifth of Postgres's work. Such a zone is read
 *   again on its own, by ZONE_SQL (below), and its report taken from that read.
 * - Binary format: length-prefixed fields (nothing to unescape), and occurred_at as exact integer microseconds.
 */
export const SWEEP_SQL = `COPY (SELECT ${CHECKED_COLUMNS} FROM public.audit_events e
  ORDER BY e.zone_id DESC, e.chain_seq ASC NULLS LAST) TO STDOUT (FORMAT binary)`;

/** The session setting that carries ZONE_SQL's zone id: set with set_config($1, $2), a bound parameter. */
export const ZONE_SETTING = 'caracal_chatops.verify_zone';
/** One zone in chain order, rows sharing a chain_seq (or without one) by id, as test/audit/oracle.ts orders them. */
export const ZONE_SQL = `COPY (SELECT ${CHECKED_COLUMNS} FROM public.audit_events e
  WHERE e.zone_id = current_setting('${ZONE_SETTING}')
  ORDER BY e.chain_seq ASC NULLS LAST, e.id) TO STDOUT (FORMAT binary)`;

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
  const { zones, tied } = await read(reader, checker, SWEEP_SQL, {}, options);
  // Where read order decided between rows with equal keys, the zone's own read in the oracle's order decides.
  for (const z of zones) if (z.unchainedRows > 1) tied.add(z.zoneId);
  for (const zoneId of tied) {
    const [again] = (await read(reader, checker, ZONE_SQL, { [ZONE_SETTING]: zoneId }, { signal: options.signal })).zones;
    const at = zones.findIndex((z) => z.zoneId === zoneId);
    // The zone may have been emptied since: then it has no rows to report.
    if (again) zones[at] = again;
    else zones.splice(at, 1);
  }
  return chainReport(zones.reverse(), key !== undefined, started);
}

/** One COPY, batch by batch: the unit a worker thread can check on its own (row-check.ts). */
async function read(reader: CopyReader, checker: RowChecker, sql: string, settings: Record<string, string>, options: VerifyOptions): Promise<{ zones: ZoneReport[]; tied: Set<string> }> {
  const zones: ZoneReport[] = [];
  const tied = new Set<string>();
  const batcher: CopyBinaryBatcher = new CopyBinaryBatcher(COLUMN_COUNT, BATCH_BYTES, (batch) => {
    const result = checker.check(Buffer.from(batch.buffer), batch.start, batch.contextEnd, batch.end);
    mergeBatch(zones, result.zones);
    for (const z of result.tied) tied.add(z);
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
  await reader.copyOut(sql, (chunk) => {
    batcher.push(chunk);
    if (onProgress) told();
  }, options.signal, settings);
  batcher.end();
  return { zones, tied };
}
