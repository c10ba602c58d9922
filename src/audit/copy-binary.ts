// Tuples out of the byte stream of `COPY ... TO STDOUT (FORMAT binary)` (PostgreSQL docs, "Binary Format"):
// a fixed header, then per tuple an int16 field count and, per field, an int32 length (-1 for NULL) followed
// by that many bytes, then an int16 -1 trailer. Length-prefixed, so there is nothing to unescape: a text
// field's bytes are its UTF-8 text as stored. pg-copy-streams delivers the bytes in chunks cut anywhere.

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Signature, int32 flags, int32 header extension length. */
const HEADER = SIGNATURE.length + 8;

/**
 * Called per tuple with its buffer and, per field i, fields[2i] = start and fields[2i + 1] = end, or both -1
 * for NULL. The buffer and the array are only valid during the call.
 */
export type TupleHandler = (buf: Buffer, fields: Int32Array) => void;

export class CopyBinaryTuples {
  /** Bytes of a tuple (or of the header) cut off at the end of the previous chunk. */
  private rest: Buffer | undefined;
  private headerDone = false;
  private ended = false;
  private readonly fields: Int32Array;
  tuples = 0;

  constructor(
    private readonly fieldCount: number,
    private readonly onTuple: TupleHandler,
  ) {
    this.fields = new Int32Array(2 * fieldCount);
  }

  /** Feed the next chunk; hands over every tuple it completes. */
  push(chunk: Buffer): void {
    if (this.ended) throw new Error('COPY binary data after its trailer');
    // Only the cut-off tuple is copied (the chunk may be a view pg-copy-streams reuses).
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = undefined;
    let at = this.headerDone ? 0 : this.header(buf);
    if (at < 0) return this.keep(buf, 0);
    while (at < buf.length) {
      if (at + 2 > buf.length) return this.keep(buf, at);
      const count = buf.readInt16BE(at);
      if (count === -1) {
        this.ended = true;
        if (at + 2 !== buf.length) throw new Error('COPY binary data after its trailer');
        return;
      }
      if (count !== this.fieldCount) throw new Error(`COPY tuple has ${count} fields, expected ${this.fieldCount}`);
      const end = this.tuple(buf, at + 2);
      if (end < 0) return this.keep(buf, at);
      this.tuples++;
      this.onTuple(buf, this.fields);
      at = end;
    }
  }

  /** Call when the COPY has finished: a missing trailer means the data was cut short. */
  end(): void {
    if (!this.ended) throw new Error('COPY binary data ended before its trailer');
  }

  /** Skip the header; -1 while it is incomplete. */
  private header(buf: Buffer): number {
    if (buf.length < HEADER) return -1;
    if (!buf.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw new Error('not COPY binary data (no PGCOPY signature)');
    const end = HEADER + buf.readInt32BE(SIGNATURE.length + 4);
    if (buf.length < end) return -1;
    this.headerDone = true;
    return end;
  }

  /** Record the tuple's field offsets from `at`; its end, or -1 when the chunk cuts it off. */
  private tuple(buf: Buffer, at: number): number {
    const fields = this.fields;
    for (let f = 0; f < this.fieldCount; f++) {
      if (at + 4 > buf.length) return -1;
      const length = buf.readInt32BE(at);
      at += 4;
      if (length === -1) {
        fields[2 * f] = -1;
        fields[2 * f + 1] = -1;
        continue;
      }
      if (at + length > buf.length) return -1;
      fields[2 * f] = at;
      fields[2 * f + 1] = at + length;
      at += length;
    }
    return at;
  }

  private keep(buf: Buffer, from: number): void {
    this.rest = Buffer.from(buf.subarray(from));
  }
}
