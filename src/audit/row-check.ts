// The per-row checks of verify.ts (breaksOf) on the bytes of a COPY text row instead of a decoded row object:
// no strings, objects or BigInts per intact row, which is where the decoded path spent its time and its GC.
// test/audit/copy-verify.test.ts holds this path and the reference to the same reports.
import { hash } from 'node:crypto';
import { Canonical } from './canonical.ts';
import { fieldEnd, isNull, matchField, TAB, unescapeInto } from './copy-text.ts';
import { FastHmac, MESSAGE_START } from './fast-hmac.ts';
import type { BreakKind, ZoneReport } from './verify.ts';

/** chain_seq as a number while exact (up to 15 digits), else a bigint. */
type Seq = number | bigint;

function parseSeq(buf: Buffer, start: number, end: number): Seq {
  if (end - start > 15) return BigInt(buf.toString('latin1', start, end));
  const negative = buf[start] === 0x2d; // '-'
  let n = 0;
  for (let i = negative ? start + 1 : start; i < end; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) throw new SyntaxError(`chain_seq is not an integer: ${buf.toString('latin1', start, end)}`);
    n = n * 10 + d;
  }
  return negative ? -n : n;
}

const follows = (prev: Seq, seq: Seq): boolean =>
  typeof prev === 'number' && typeof seq === 'number' ? seq === prev + 1 : BigInt(seq) === BigInt(prev) + 1n;

const TOO_FEW = 'COPY row has fewer than 17 fields';

/** The field at buf[i], which a tab ends: its end, and whether it is exactly `expected` (one pass when it is). */
function field(buf: Buffer, i: number, expected: string | undefined): { end: number; same: boolean } {
  const matched = expected === undefined ? -1 : matchField(buf, i, expected);
  if (matched !== -1) return { end: matched, same: true };
  const end = fieldEnd(buf, i);
  if (buf[end] !== TAB) throw new Error(TOO_FEW);
  return { end, same: false };
}

export class RowChecker {
  private readonly canonical = new Canonical();
  private readonly hmac: FastHmac | undefined;
  /** The previous row's content_sha256 (its escaped bytes, as latin1). */
  private prevContent = '';
  /** The previous row's chain_seq; undefined before a zone's first row. */
  private prevSeq: Seq | undefined;
  private report: ZoneReport | undefined;

  /** hmacKey: the decoded AUDIT_HMAC_KEY bytes, or undefined to leave chain_hmac unchecked. */
  constructor(hmacKey: Buffer | undefined) {
    this.hmac = hmacKey ? new FastHmac(hmacKey) : undefined;
  }

  /** Start a zone: the next row is its oldest, and counts go to `report`. */
  beginZone(report: ZoneReport): void {
    this.report = report;
    this.prevSeq = undefined;
  }

  /** The last row's chain_seq and id, the keyset for the next page; undefined before the zone's first row. */
  lastKey(): { seq: string; id: string } | undefined {
    return this.prevSeq === undefined ? undefined : { seq: String(this.prevSeq), id: this.canonical.id() };
  }

  /** Check the row in buf[start, end), where buf[end] is its newline. An arrow, to be handed out as a callback. */
  readonly row = (buf: Buffer, start: number, end: number): void => {
    const report = this.report;
    if (!report) throw new Error('RowChecker.row before beginZone');
    const digest = hash('sha256', this.canonical.build(buf, start, end), 'hex');
    const first = this.prevSeq === undefined;

    // content_sha256, prev_content_sha256, chain_hmac and chain_seq, each usually matched as it is found.
    const content = field(buf, this.canonical.next, digest);
    const prevStart = content.end + 1;
    const prev = field(buf, prevStart, first ? undefined : this.prevContent);
    const prevNull = isNull(buf, prevStart, prev.end);
    const hmacStart = prev.end + 1;
    const contentStart = this.canonical.next;
    const prevValueStart = prevNull ? prev.end : prevStart; // NULL signs as ''
    const expectedHmac = this.hmac && hmacHex(this.hmac, buf, contentStart, content.end, prevValueStart, prev.end);
    const hmac = field(buf, hmacStart, expectedHmac);
    if (fieldEnd(buf, hmac.end + 1) !== end) throw new Error('COPY row has more than 17 fields');
    const seq = parseSeq(buf, hmac.end + 1, end);

    // The rules of verify.ts breaksOf; see there for why a zone's oldest row is judged this way.
    const linkOk = first ? (seq === 1 || seq === 1n) === prevNull : prev.same;
    const seqOk = this.prevSeq === undefined ? seq >= 1 : follows(this.prevSeq, seq);
    const hmacOk = expectedHmac === undefined || hmac.same;
    if (first) report.firstSeq = String(seq);
    report.rowsChecked++;
    if (!(content.same && linkOk && hmacOk && seqOk)) {
      const kinds: BreakKind[] = [];
      if (!content.same) kinds.push('content_mismatch');
      if (!linkOk) kinds.push('broken_link');
      if (!hmacOk) kinds.push('hmac_mismatch');
      if (!seqOk) kinds.push('seq_gap');
      report.brokenRows++;
      for (const k of kinds) if (!report.kindsSeen.includes(k)) report.kindsSeen.push(k);
      report.firstBreak ??= { id: this.canonical.id(), chainSeq: String(seq), kind: kinds[0], kinds };
    }
    // An intact row's content_sha256 is the digest: keep that string rather than decode the field's bytes.
    this.prevContent = content.same ? digest : buf.toString('latin1', contentStart, content.end);
    this.prevSeq = seq;
  };
}

/** Hex HMAC over content + '|' + prev as chain.ts chainHmac computes it; prev is '' when NULL (an empty range). */
function hmacHex(hmac: FastHmac, buf: Buffer, cs: number, ce: number, ps: number, pe: number): string {
  const message = hmac.message(ce - cs + 1 + pe - ps);
  let o = unescapeInto(buf, cs, ce, message, MESSAGE_START);
  message[o++] = 0x7c; // '|'
  o = unescapeInto(buf, ps, pe, message, o);
  return hmac.digestHex(o);
}
