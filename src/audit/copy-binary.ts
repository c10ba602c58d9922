// The byte stream of `COPY ... TO STDOUT (FORMAT binary)` (PostgreSQL docs, "Binary Format") cut into batches of
// whole tuples: a fixed header, then per tuple an int16 field count and, per field, an int32 length (-1 for NULL)
// followed by that many bytes, then an int16 -1 trailer. Length-prefixed, so there is nothing to unescape: a text
// field's bytes are its UTF-8 text as stored. pg-copy-streams delivers the bytes in chunks cut anywhere; a batch
// owns its ArrayBuffer, so it can be transferred to a worker thread without a copy.

const SIGNATURE = Uint8Array.from(Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'));
/** Signature, int32 flags, int32 header extension length. */
const HEADER = SIGNATURE.length + 8;

const int16 = (b: Uint8Array, at: number): number => ((b[at] << 24) | (b[at + 1] << 16)) >> 16;
const int32 = (b: Uint8Array, at: number): number => (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];

/**
 * Where the tuple at `at` ends, or -1 when bytes[at, limit) holds only part of it. With `fields`, also records
 * field i's start and end in fields[2i], fields[2i + 1] (both -1 for NULL). Throws on a wrong field count.
 */
export function tupleEnd(b: Uint8Array, at: number, limit: number, fieldCount: number, fields?: Int32Array): number {
  if (at + 2 > limit) return -1;
  const count = int16(b, at);
  if (count !== fieldCount) throw new Error(`COPY tuple has ${count} fields, expected ${fieldCount}`);
  at += 2;
  for (let f = 0; f < fieldCount; f++) {
    if (at + 4 > limit) return -1;
    const length = int32(b, at);
    at += 4;
    if (length < 0) {
      if (fields) fields[2 * f] = fields[2 * f + 1] = -1;
      continue;
    }
    if (at + length > limit) return -1;
    if (fields) {
      fields[2 * f] = at;
      fields[2 * f + 1] = at + length;
    }
    at += length;
  }
  return at;
}

/**
 * Whole tuples in buffer[contextEnd, end). buffer[start, contextEnd) is the tuple before them (the previous batch's
 * last), empty in the first batch: a batch is checked on its own, and that row is where its first row links to.
 */
export interface TupleBatch {
  buffer: ArrayBuffer;
  start: number;
  contextEnd: number;
  end: number;
  tuples: number;
}

/** Cuts the COPY stream into batches of about `batchBytes` (a larger tuple gets a batch of its own). */
export class CopyBinaryBatcher {
  private bytes: Uint8Array;
  /** Where this batch's data starts (after the header in the first), its context tuple's end, and the end of the
   * last whole tuple framed; `filled` counts the bytes copied in, a cut-off tuple included. */
  private start = 0;
  private contextEnd = 0;
  private framed = 0;
  private lastTuple = -1;
  private filled = 0;
  private tuples = 0;
  private headerDone = false;
  private ended = false;
  private readonly spare: ArrayBuffer[] = [];
  tuplesTotal = 0;

  constructor(
    private readonly fieldCount: number,
    private readonly batchBytes: number,
    private readonly onBatch: (batch: TupleBatch) => void,
  ) {
    this.bytes = new Uint8Array(batchBytes);
  }

  /** Hand back a batch's buffer once it has been checked, to be filled again. */
  recycle(buffer: ArrayBuffer): void {
    if (buffer.byteLength === this.batchBytes && this.spare.length < 4) this.spare.push(buffer);
  }

  /** Feed the next chunk; hands over every batch it fills. */
  push(chunk: Uint8Array): void {
    if (this.ended) {
      if (chunk.length > 0) throw new Error('COPY binary data after its trailer');
      return;
    }
    let from = 0;
    while (from < chunk.length) {
      if (this.filled === this.bytes.length) this.cut();
      const n = Math.min(chunk.length - from, this.bytes.length - this.filled);
      this.bytes.set(chunk.subarray(from, from + n), this.filled);
      this.filled += n;
      from += n;
      this.frame();
      if (this.ended && (from < chunk.length || this.framed + 2 !== this.filled)) throw new Error('COPY binary data after its trailer');
    }
  }

  /** Call when the COPY has finished: hands over the last batch; a missing trailer means the data was cut short. */
  end(): void {
    if (!this.ended) throw new Error('COPY binary data ended before its trailer');
    this.emit(this.bytes);
  }

  /** Frame the whole tuples copied in so far, and the trailer. */
  private frame(): void {
    const b = this.bytes;
    if (!this.headerDone) {
      if (this.filled < HEADER) return;
      for (let i = 0; i < SIGNATURE.length; i++) {
        if (b[i] !== SIGNATURE[i]) throw new Error('not COPY binary data (no PGCOPY signature)');
      }
      const end = HEADER + int32(b, SIGNATURE.length + 4);
      if (this.filled < end) return;
      this.headerDone = true;
      this.start = this.contextEnd = this.framed = end;
    }
    let at = this.framed;
    while (at + 2 <= this.filled) {
      if (int16(b, at) === -1) {
        this.ended = true;
        break;
      }
      const end = tupleEnd(b, at, this.filled, this.fieldCount);
      if (end < 0) break;
      this.lastTuple = at;
      this.tuples++;
      at = end;
    }
    this.framed = at;
  }

  /** The buffer is full: hand over its whole tuples, and start the next with the last of them and the cut-off rest. */
  private cut(): void {
    const old = this.bytes;
    if (this.tuples === 0) {
      // A tuple longer than the buffer: grow it rather than hand over nothing.
      this.bytes = new Uint8Array(2 * old.length);
      this.bytes.set(old.subarray(0, this.filled));
      return;
    }
    // The last whole tuple is the next batch's context; a tuple cut off by the chunk follows it. Copied before the
    // batch is handed over, which may transfer (detach) its buffer.
    const carried = old.subarray(this.lastTuple, this.filled);
    const size = Math.max(this.batchBytes, 2 * carried.length);
    const fresh = new Uint8Array(size === this.batchBytes ? (this.spare.pop() ?? new ArrayBuffer(size)) : new ArrayBuffer(size));
    fresh.set(carried);
    const contextEnd = this.framed - this.lastTuple;
    this.emit(fresh);
    this.start = 0;
    this.contextEnd = this.framed = contextEnd;
    this.filled = carried.length;
    this.lastTuple = 0;
    this.tuples = 0;
  }

  private emit(next: Uint8Array): void {
    if (this.tuples === 0) return;
    const old = this.bytes;
    this.tuplesTotal += this.tuples;
    this.bytes = next;
    this.onBatch({
      buffer: old.buffer as ArrayBuffer,
      start: this.start,
      contextEnd: this.contextEnd,
      end: this.framed,
      tuples: this.tuples,
    });
  }
}
