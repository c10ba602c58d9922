// A reusable byte buffer with cached fixed-length views of its start. One-shot crypto.hash takes a whole view,
// and making a new one per call (subarray) costs about a third of hashing a 300-byte row; a million-row sweep
// hashes two or three of them per row, at a handful of distinct lengths.
const MAX_CACHED = 4096;

export class ScratchBuffer {
  bytes: Buffer;
  private views: (Uint8Array | undefined)[] = [];

  constructor(size: number) {
    this.bytes = Buffer.alloc(size);
  }

  /** Make room for `size` bytes, keeping the first `keep` bytes; returns the (possibly new) buffer. */
  ensure(size: number, keep = 0): Buffer {
    if (this.bytes.length < size) {
      const grown = Buffer.alloc(2 * size);
      this.bytes.copy(grown, 0, 0, keep);
      this.bytes = grown;
      this.views = [];
    }
    return this.bytes;
  }

  /** bytes[0, length) as a view; cached for short lengths, so the cache stays small whatever the rows. */
  view(length: number): Uint8Array {
    if (length > MAX_CACHED) return this.bytes.subarray(0, length);
    return (this.views[length] ??= this.bytes.subarray(0, length));
  }
}
