// Deep verification of Caracal's per-zone audit chains: every row of every zone, in chain order, in constant
// memory. Unlike Caracal's own sweep it walks the whole table, not an ingested_at window, and it also checks
// chain_seq continuity (caracal-ops.md §5.3, §13.7). The one verifier: the audit.chain check (so the CLI's
// --deep and the Safety gate's "Verify audit chain") and bench/deep-verify.ts all run verifyAuditChains.
import { availableParallelism } from 'node:os';
import { parseHmacKey } from './chain.ts';
import { BatchRunner, IN_FLIGHT_PER_WORKER } from './batch-runner.ts';
import { CopyBinaryBatcher, type TupleBatch } from './copy-binary.ts';
import type { CopyReader } from './copy-client.ts';
import { chainReport, type VerifyReport, type ZoneReport } from './report.ts';
import { CHECKED_COLUMNS, COLUMN_COUNT, RowChecker } from './row-check.ts';
import { CheckPool } from './verify-pool.ts';

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
  /**
   * Worker threads hashing the rows (default: DEFAULT_THREADS); 0 checks on the calling thread, which also checks
   * batches while they start and when they all have their fill. Started only for a table larger than one batch,
   * and ended before verifyAuditChains returns or throws.
   */
  threads?: number | undefined;
  /** Bytes of COPY data per batch a thread checks at a time (default 512 KiB). */
  batchBytes?: number | undefined;
}

const rowsOf = (z: ZoneReport): number => z.rowsChecked + z.unchainedRows;

/**
 * One worker per CPU, up to 4: the calling thread reads a row in about a quarter of the time a worker takes to
 * check it (bench/deep-verify.ts), so more would wait for it, each holding an isolate's memory.
 */
export const DEFAULT_THREADS = Math.min(availableParallelism(), 4);

/** Walk every zone's chain through `reader` and report per zone and in total. */
export async function verifyAuditChains(reader: CopyReader, options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = performance.now();
  // Parse first: a malformed key must fail loudly before any row is read, not flag every row.
  const key = options.hmacKeyHex ? parseHmacKey(options.hmacKeyHex) : undefined;
  const threads = options.threads ?? DEFAULT_THREADS;
  if (!Number.isInteger(threads) || threads < 0) throw new RangeError(`threads must be a whole number, not ${threads}`);
  const verification = new Verification(reader, key && new Uint8Array(key.export()), threads, options);
  try {
    const zones = await verification.read(SWEEP_SQL, {}, options.onProgress);
    // Where read order decided between rows with equal keys, the zone's own read in the oracle's order decides.
    const tied = new Set(verification.tied);
    for (const z of zones) if (z.unchainedRows > 1) tied.add(z.zoneId);
    for (const zoneId of tied) {
      const [again] = await verification.read(ZONE_SQL, { [ZONE_SETTING]: zoneId }, undefined);
      const at = zones.findIndex((z) => z.zoneId === zoneId);
      // The zone may have been emptied since: then it has no rows to report.
      if (again) zones[at] = again;
      else zones.splice(at, 1);
    }
    return chainReport(zones.reverse(), key !== undefined, started);
  } finally {
    await verification.close();
  }
}

/** COPY statements read batch by batch and checked (batch-runner.ts), with one worker pool for all of them. */
class Verification {
  private pool: CheckPool | undefined;
  private readonly checker: RowChecker;
  readonly tied: string[] = [];

  constructor(
    private readonly reader: CopyReader,
    private readonly hmacKey: Uint8Array | undefined,
    private readonly threads: number,
    private readonly options: VerifyOptions,
  ) {
    this.checker = new RowChecker(hmacKey);
  }

  async read(sql: string, settings: Record<string, string>, onProgress: VerifyOptions['onProgress']): Promise<ZoneReport[]> {
    const { signal } = this.options;
    const batches: { batch: TupleBatch; last: boolean }[] = [];
    let copyEnded = false;
    const batcher = new CopyBinaryBatcher(COLUMN_COUNT, this.options.batchBytes ?? 512 * 1024, (batch) =>
      batches.push({ batch, last: copyEnded }),
    );
    const runner = new BatchRunner({
      checker: this.checker,
      pool: (start) => {
        if (start && !this.pool && this.threads > 0) this.pool = new CheckPool(this.threads, this.hmacKey);
        return this.pool;
      },
      limit: IN_FLIGHT_PER_WORKER * this.threads,
      recycle: (buffer) => batcher.recycle(buffer),
    });
    const submitAll = (): void => {
      for (let b = batches.shift(); b; b = batches.shift()) runner.submit(b.batch, b.last);
    };
    // Rows of finished zones are summed once each, so telling progress stays O(1) per chunk however many zones.
    const zones = runner.zones;
    let zonesDone = 0;
    let rowsDone = 0;
    const told = (): void => {
      for (; zonesDone < zones.length - 1; zonesDone++) rowsDone += rowsOf(zones[zonesDone]);
      const current = zones[zones.length - 1];
      onProgress?.({ zonesDone, rowsChecked: rowsDone + (current ? rowsOf(current) : 0) });
    };

    signal?.throwIfAborted();
    await this.reader.copyOut(
      sql,
      (chunk) => {
        batcher.push(chunk);
        submitAll();
        if (onProgress) told();
      },
      signal,
      settings,
    );
    copyEnded = true;
    batcher.end();
    submitAll();
    await runner.drain(signal);
    this.pool?.throwIfFailed();
    if (onProgress) told();
    for (const z of runner.tied) if (!this.tied.includes(z)) this.tied.push(z);
    return zones;
  }

  /** End the workers, if any started. */
  async close(): Promise<void> {
    await this.pool?.close();
  }
}
