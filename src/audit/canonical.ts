// The bytes chain.ts contentHash covers, built straight from a COPY text row (columns in sql-source.ts COLUMNS
// order) without decoding it into strings: the same bytes, since Postgres sends text as UTF-8 and contentHash
// hashes its strings as UTF-8. test/audit/row-check.test.ts holds this to contentHash on escaped rows.
import { BACKSLASH, N_UPPER, NL, TAB, unescapedByte } from './copy-text.ts';
import { ScratchBuffer } from './scratch-buffer.ts';

const US = 0x1f;
const ZERO = 0x30;
/** occurred_at in Unix microseconds: the last hashed field. */
const MICROS = 12;
// How contentHash renders SQL NULL per field: '' for the optional text fields (`?? ''`); the 4 bytes `null`
// for the JSON fields (`?? 'null'`) and for id, zone_id and event_type, which it concatenates as they are
// (NOT NULL in Caracal's schema, so only a hand-edited row could differ, and then both paths agree).
const NULL_IS_EMPTY = [false, false, false, true, true, true, true, true, true, false, false, false];

export class Canonical {
  private readonly scratch = new ScratchBuffer(4096);
  /** After build(): the end of the row's unescaped id in `bytes` (it comes first). */
  idEnd = 0;
  /** After build(): the row offset just past occurred_at's tab, where content_sha256 starts. */
  next = 0;

  get bytes(): Buffer {
    return this.scratch.bytes;
  }

  /** The row's id, as the decoded row would hold it, until the next build(). */
  id(): string {
    return this.scratch.bytes.toString('utf8', 0, this.idEnd);
  }

  /**
   * Build the canonical bytes of the row starting at buf[start], whose newline is at buf[end], and return
   * them as a view. One pass: tabs become 0x1F, escapes are decoded, NULLs become '' or `null`.
   */
  build(buf: Buffer, start: number, end: number): Uint8Array {
    // Unescaping only shrinks a field; `\N` -> `null` (+2, at most six times) and the three zeros grow it.
    const canon = this.scratch.ensure(end - start + 64);
    let i = start;
    let o = 0;
    for (let f = 0; f <= MICROS; f++) {
      let b = buf[i];
      if (b === BACKSLASH && buf[i + 1] === N_UPPER && (buf[i + 2] === TAB || buf[i + 2] === NL)) {
        // contentHash throws on a NULL occurred_at (BigInt(null)); so does this. It is NOT NULL in Caracal.
        if (f === MICROS) throw new TypeError('occurred_at is NULL');
        if (!NULL_IS_EMPTY[f]) {
          canon[o++] = 0x6e; // n
          canon[o++] = 0x75; // u
          canon[o++] = 0x6c; // l
          canon[o++] = 0x6c; // l
        }
        i += 2;
        b = buf[i];
      } else {
        // Inlined rather than a helper call per byte: this loop sees every hashed byte of every row.
        const from = o;
        while (b !== TAB && b !== NL) {
          if (b === BACKSLASH) b = unescapedByte(buf[++i]);
          canon[o++] = b;
          b = buf[++i];
        }
        // Unix nanoseconds as Go prints them: micros × 1000, so three more zeros, except that 0 × 1000 is "0".
        if (f === MICROS && !(o - from === 1 && canon[from] === ZERO)) {
          canon[o++] = ZERO;
          canon[o++] = ZERO;
          canon[o++] = ZERO;
        }
      }
      if (b !== TAB) throw new Error(`COPY row has ${f + 1} fields, expected 17`);
      if (f === 0) this.idEnd = o;
      if (f < MICROS) canon[o++] = US;
      i++;
    }
    this.next = i;
    return this.scratch.view(o);
  }
}
