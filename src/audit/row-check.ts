// The per-row checks of a zone's chain, on the fields of COPY binary tuples (copy-binary.ts) as bytes: no
// strings, objects or BigInts per intact row, so a million-row sweep costs hashing, not garbage collection.
// A batch of tuples is checked on its own, each row against the row before it, the first against the batch's
// context row, so batches can be checked in any order and on any thread; mergeBatch adds them up in read order.
// test/audit/oracle.ts is the independent, obviously-correct version these are tested against.
import { hash } from 'node:crypto';
import { CanonicalContent } from './canonical.ts';
import { tupleEnd } from './copy-binary.ts';
import { FastHmac, MESSAGE_START } from './hmac.ts';
import { emptyZoneReport, type BreakKind, type ZoneReport } from './report.ts';

/**
 * The columns the checker reads, in this order: the 12 hashed fields as text (the JSON ones as the exact
 * `jsonb::text` Caracal hashed), occurred_at and chain_seq in their binary forms (int64 microseconds since
 * 2000-01-01, and int64), and the three chain columns as text.
 */
export const CHECKED_COLUMNS = `id::text, zone_id::text, event_type::text, request_id::text, decision::text,
  policy_set_id::text, policy_set_version_id::text, manifest_sha::text, evaluation_status::text,
  determining_policies_json::text, diagnostics_json::text, metadata_json::text, occurred_at,
  content_sha256::text, prev_content_sha256::text, chain_hmac::text, chain_seq::bigint`;
export const COLUMN_COUNT = 17;
const ZONE = 1;
const OCCURRED_AT = 12;
const CONTENT = 13;
const PREV = 14;
const HMAC = 15;
const SEQ = 16;
/** Microseconds from 1970-01-01 to PostgreSQL's epoch, 2000-01-01. */
const PG_EPOCH_MICROS = 946_684_800_000_000;
const PIPE = 0x7c;

/** chain_seq and occurred_at as a number while exact, else a bigint. */
type Int = number | bigint;

/** The int64 at buf[at]: a number when its high word keeps it under 2^53, else a bigint. */
function int64(buf: Buffer, at: number): Int {
  const high = buf.readInt32BE(at);
  if (high >= -0x200000 && high < 0x200000) return high * 0x1_0000_0000 + buf.readUInt32BE(at + 4);
  return buf.readBigInt64BE(at);
}

function unixMicros(pgMicros: Int): Int {
  if (typeof pgMicros === 'bigint') return pgMicros + BigInt(PG_EPOCH_MICROS);
  const micros = pgMicros + PG_EPOCH_MICROS;
  return Number.isSafeInteger(micros) ? micros : BigInt(pgMicros) + BigInt(PG_EPOCH_MICROS);
}

const follows = (prev: Int, seq: Int): boolean =>
  typeof prev === 'number' && typeof seq === 'number' ? seq === prev + 1 : BigInt(seq) === BigInt(prev) + 1n;
// A number and a bigint are never the same int64 here: int64() gives a bigint only beyond 2^53.
const equal = (a: Int, b: Int): boolean => typeof a === typeof b && a === b;

/** Whether buf[start, end) holds exactly the ASCII `text` (a NULL field, start -1, holds nothing). */
function holds(buf: Buffer, start: number, end: number, text: string): boolean {
  if (Math.max(end - start, 0) !== text.length) return false;
  for (let k = 0; k < text.length; k++) if (buf[start + k] !== text.charCodeAt(k)) return false;
  return true;
}

/** Whether a[0, aLength) equals b[start, end): by hand, cheaper than a native call for a zone id. */
function same(a: Uint8Array, aLength: number, b: Uint8Array, start: number, end: number): boolean {
  if (end - start !== aLength) return false;
  for (let i = 0; i < aLength; i++) if (a[i] !== b[start + i]) return false;
  return true;
}

/** One batch's findings: per zone, only this batch's rows. */
export interface BatchResult {
  /** In the batch's order; the first may continue the zone of the batch before (mergeBatch adds it there). */
  zones: ZoneReport[];
  /** Zones in which a row had its predecessor's chain_seq: which of the two comes first is up to the read order. */
  tied: string[];
}

/**
 * Checks tuples in (zone_id, chain_seq) order, zone after zone, with rows without chain_seq after each zone's
 * chain. Rows of a zone must arrive together; the zone's report starts at its first row.
 */
export class RowChecker {
  private zones: ZoneReport[] = [];
  private tied: string[] = [];
  private report: ZoneReport | undefined;
  private zone = Buffer.alloc(0);
  private readonly fields = new Int32Array(2 * COLUMN_COUNT);
  private readonly canonical = new CanonicalContent();
  /** Where the previous row's content_sha256 (NULL read as '') is in the batch being checked. */
  private prevContentStart = 0;
  private prevContentEnd = 0;
  /** The previous row's chain_seq; undefined before a zone's first chained row. */
  private prevSeq: Int | undefined;

  private readonly hmac: FastHmac | undefined;

  /** hmacKey: the hex-decoded AUDIT_HMAC_KEY, or undefined to leave chain_hmac unchecked. */
  constructor(hmacKey: Uint8Array | undefined) {
    this.hmac = hmacKey && new FastHmac(Buffer.from(hmacKey));
  }

  /**
   * Check the whole tuples in buf[contextEnd, end). buf[start, contextEnd) is the tuple before them (already
   * checked, with the batch before), or empty: the first row links to it, and continues its zone.
   */
  check(buf: Buffer, start: number, contextEnd: number, end: number): BatchResult {
    this.zones = [];
    this.tied = [];
    this.report = undefined;
    this.zone = Buffer.alloc(0);
    this.prevSeq = undefined;
    const f = this.fields;
    if (contextEnd > start) {
      if (tupleEnd(buf, start, contextEnd, COLUMN_COUNT, f) !== contextEnd) throw new Error('COPY batch context is not one tuple');
      this.context(buf, f);
    }
    for (let at = contextEnd; at < end;) {
      at = tupleEnd(buf, at, end, COLUMN_COUNT, f);
      if (at < 0) throw new Error('COPY batch ends inside a tuple');
      this.tuple(buf, f);
    }
    return { zones: this.zones, tied: this.tied };
  }

  /** Check one tuple (fields[2i], fields[2i + 1] are field i's start and end, -1 for NULL). */
  private tuple(buf: Buffer, f: Int32Array): void {
    const report = this.zoneOf(buf, f[2 * ZONE], f[2 * ZONE + 1]);
    if (f[2 * SEQ] < 0) return this.unchained(report, buf, f);
    const seq = int64(buf, f[2 * SEQ]);
    const first = this.prevSeq === undefined;

    const canonical = this.canonical;
    canonical.reset();
    for (let i = 0; i < OCCURRED_AT; i++) canonical.field(f[2 * i] < 0 ? null : buf, f[2 * i], f[2 * i + 1]);
    if (f[2 * OCCURRED_AT] < 0) throw new TypeError('occurred_at is NULL'); // NOT NULL in Caracal's schema
    const digest = hash('sha256', canonical.occurredAt(unixMicros(int64(buf, f[2 * OCCURRED_AT]))), 'hex');

    // NULL content_sha256 and chain_hmac read as '' (Caracal's sweep COALESCEs them); a NULL link stays NULL.
    const cs = Math.max(f[2 * CONTENT], 0);
    const ce = Math.max(f[2 * CONTENT + 1], 0);
    const ps = f[2 * PREV];
    const pe = f[2 * PREV + 1];
    const prevNull = ps < 0;
    const contentOk = holds(buf, cs, ce, digest);
    // A zone's oldest row: Caracal writes a NULL link exactly at chain_seq 1; a later oldest row (retention dropped
    // the rows before it) must still point somewhere, though what it points to can no longer be checked.
    const linkOk = first
      ? (seq === 1 || seq === 1n) === prevNull
      : !prevNull && buf.compare(buf, ps, pe, this.prevContentStart, this.prevContentEnd) === 0;
    const hmacOk = this.hmac === undefined || holds(buf, f[2 * HMAC], f[2 * HMAC + 1], this.hmacHex(buf, cs, ce, ps, pe));
    const seqOk = first ? seq >= 1 : follows(this.prevSeq ?? 0, seq);
    if (!first && equal(this.prevSeq ?? 0, seq) && this.tied.at(-1) !== report.zoneId) this.tied.push(report.zoneId);

    if (first) report.firstSeq = String(seq);
    report.rowsChecked++;
    if (!(contentOk && linkOk && hmacOk && seqOk)) {
      const kinds: BreakKind[] = [];
      if (!contentOk) kinds.push('content_mismatch');
      if (!linkOk) kinds.push('broken_link');
      if (!hmacOk) kinds.push('hmac_mismatch');
      if (!seqOk) kinds.push('seq_gap');
      report.brokenRows++;
      for (const k of kinds) if (!report.kindsSeen.includes(k)) report.kindsSeen.push(k);
      report.firstBreak ??= { id: buf.toString('utf8', f[0], f[1]), chainSeq: String(seq), kind: kinds[0], kinds };
    }
    this.keep(cs, ce, seq);
  }

  /** The row before the batch: only where the next row links to, in which zone. */
  private context(buf: Buffer, f: Int32Array): void {
    if (f[2 * ZONE] < 0) throw new TypeError('zone_id is NULL');
    this.zone = Buffer.from(buf.subarray(f[2 * ZONE], f[2 * ZONE + 1]));
    if (f[2 * SEQ] >= 0) this.keep(Math.max(f[2 * CONTENT], 0), Math.max(f[2 * CONTENT + 1], 0), int64(buf, f[2 * SEQ]));
  }

  /** Remember where a chained row's content_sha256 is, and its chain_seq, for the row after it. */
  private keep(cs: number, ce: number, seq: Int): void {
    this.prevContentStart = cs;
    this.prevContentEnd = ce;
    this.prevSeq = seq;
  }

  /** The report of the tuple's zone: the current one, or a new one when the zone (or the batch) starts. */
  private zoneOf(buf: Buffer, start: number, end: number): ZoneReport {
    if (start < 0) throw new TypeError('zone_id is NULL'); // NOT NULL in Caracal's schema
    const sameZone = same(this.zone, this.zone.length, buf, start, end);
    if (sameZone && this.report) return this.report;
    if (!sameZone) {
      this.zone = Buffer.from(buf.subarray(start, end));
      this.prevSeq = undefined;
    }
    this.report = emptyZoneReport(this.zone.toString('utf8'));
    this.zones.push(this.report);
    return this.report;
  }

  /** A row outside the chain: it counts as broken, and the first one is the zone's first break (Caracal's order). */
  private unchained(report: ZoneReport, buf: Buffer, f: Int32Array): void {
    report.unchainedRows++;
    report.brokenRows++;
    if (report.unchainedRows > 1) return;
    report.firstBreak = { id: buf.toString('utf8', f[0], f[1]), chainSeq: 'NULL', kind: 'missing_chain', kinds: ['missing_chain'] };
    if (!report.kindsSeen.includes('missing_chain')) report.kindsSeen.push('missing_chain');
  }

  /** Hex HMAC over content + '|' + prev, as Caracal signs them (prev '' when NULL: an empty range). */
  private hmacHex(buf: Buffer, cs: number, ce: number, ps: number, pe: number): string {
    const hmac = this.hmac as FastHmac;
    const prevLength = Math.max(pe - ps, 0);
    const message = hmac.message(ce - cs + 1 + prevLength);
    buf.copy(message, MESSAGE_START, cs, ce);
    message[MESSAGE_START + ce - cs] = PIPE;
    if (prevLength > 0) buf.copy(message, MESSAGE_START + ce - cs + 1, ps, pe);
    return hmac.digestHex(MESSAGE_START + ce - cs + 1 + prevLength);
  }
}

/**
 * Add one batch's zone reports to `zones`, in read order: a zone the batch continues gets its rows added, as if one
 * checker had read both batches. The first row without chain_seq stays the zone's first break (RowChecker.unchained).
 */
export function mergeBatch(zones: ZoneReport[], batch: readonly ZoneReport[]): void {
  for (const part of batch) {
    const zone = zones.at(-1);
    if (zone?.zoneId !== part.zoneId) {
      zones.push(part);
      continue;
    }
    if (part.unchainedRows > 0 && zone.unchainedRows === 0) zone.firstBreak = part.firstBreak;
    else zone.firstBreak ??= part.firstBreak;
    zone.rowsChecked += part.rowsChecked;
    zone.brokenRows += part.brokenRows;
    zone.unchainedRows += part.unchainedRows;
    zone.firstSeq ??= part.firstSeq;
    for (const k of part.kindsSeen) if (!zone.kindsSeen.includes(k)) zone.kindsSeen.push(k);
  }
}
