// HMAC-SHA256 (RFC 2104) from two one-shot node:crypto SHA-256 calls over preallocated buffers. It is the same
// function as createHmac('sha256', key) (test/audit/hmac.test.ts compares them), at a third of the cost per call:
// createHmac builds a native Hmac object per call, and a sweep makes one call per row. Measured on this 2-CPU
// machine (tmp bench, 200,000 calls over a 129-byte message): createHmac 9-13 µs, this 4-7 µs; as a share of
// the sweep's own CPU profile, createHmac was about half of it.
import { hash } from 'node:crypto';
import { ScratchBuffer } from './scratch-buffer.ts';

const BLOCK = 64;
/** Where the message starts in the buffer `message` returns: after the (key XOR ipad) block. */
export const MESSAGE_START = BLOCK;

export class FastHmac {
  /** (key XOR ipad) followed by the message. */
  private readonly inner = new ScratchBuffer(BLOCK + 256);
  /** (key XOR opad) followed by the inner digest. */
  private readonly outer = Buffer.alloc(BLOCK + 32);

  constructor(key: Buffer) {
    // RFC 2104: a key longer than the block is hashed first; a shorter one is padded with zeros.
    const k = key.length > BLOCK ? Buffer.from(hash('sha256', key, 'hex'), 'hex') : key;
    for (let i = 0; i < BLOCK; i++) {
      this.inner.bytes[i] = (i < k.length ? k[i] : 0) ^ 0x36;
      this.outer[i] = (i < k.length ? k[i] : 0) ^ 0x5c;
    }
  }

  /** The buffer to write a message of up to `length` bytes into, from MESSAGE_START. */
  message(length: number): Buffer {
    return this.inner.ensure(BLOCK + length, BLOCK);
  }

  /** Hex HMAC of the message written into `message()`'s buffer, which ends at offset `end`. */
  digestHex(end: number): string {
    // 'binary' (latin1) hands the 32 digest bytes over as a short string, cheaper than a Buffer for them; copied
    // in by hand, cheaper than Buffer.write's native call.
    const inner = hash('sha256', this.inner.view(end), 'binary');
    const outer = this.outer;
    for (let i = 0; i < 32; i++) outer[BLOCK + i] = inner.charCodeAt(i);
    return hash('sha256', outer, 'hex');
  }
}

/** HMAC-SHA256 of `message` (UTF-8) as hex: the plain entry point, for tests and one-off use. */
export function fastHmacHex(hmac: FastHmac, message: string): string {
  const bytes = Buffer.from(message, 'utf8');
  const buf = hmac.message(bytes.length);
  bytes.copy(buf, MESSAGE_START);
  return hmac.digestHex(MESSAGE_START + bytes.length);
}
