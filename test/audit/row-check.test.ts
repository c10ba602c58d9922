// The byte-level pieces without Postgres: the HMAC against node's createHmac, the COPY binary batches however
// the stream is cut, and random chains (odd text, NULLs, odd times, tampering of every kind) checked by
// RowChecker batch by batch from COPY binary bytes, in any order, merged, against the oracle over the same rows.
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CanonicalContent, HASHED_FIELDS } from '../../src/audit/canonical.ts';
import { parseHmacKey } from '../../src/audit/chain.ts';
import { CopyBinaryBatcher, tupleEnd, type TupleBatch } from '../../src/audit/copy-binary.ts';
import { FastHmac, fastHmacHex } from '../../src/audit/hmac.ts';
import type { ZoneReport } from '../../src/audit/report.ts';
import { COLUMN_COUNT, mergeBatch, RowChecker } from '../../src/audit/row-check.ts';
import { TEST_KEY_HEX } from './caracal-writer.ts';
import { chain, HEADER, inSweepOrder, int16, pick, tamper, tupleOf } from './copy-fixture.ts';
import { oracleZone } from './oracle.ts';

/** Feed `bytes` in random cuts, down to one byte. */
function feedCut(batcher: CopyBinaryBatcher, bytes: Buffer): void {
  for (let at = 0; at < bytes.length;) {
    const next = Math.min(bytes.length, at + 1 + Math.floor(Math.random() * 300));
    batcher.push(bytes.subarray(at, next));
    at = next;
  }
}

/** The batches of a whole COPY stream fed in random cuts. */
function batchesOf(bytes: Buffer, batchBytes: number): TupleBatch[] {
  const batches: TupleBatch[] = [];
  const batcher = new CopyBinaryBatcher(COLUMN_COUNT, batchBytes, (b) => batches.push(b));
  feedCut(batcher, bytes);
  batcher.end();
  return batches;
}

/** The ids of the tuples in bytes[from, to). */
function idsIn(buffer: ArrayBuffer, from: number, to: number): string[] {
  const buf = Buffer.from(buffer);
  const f = new Int32Array(2 * COLUMN_COUNT);
  const ids: string[] = [];
  for (let at = from; at < to; at = tupleEnd(buf, at, to, COLUMN_COUNT, f)) {
    if (at < 0) throw new Error('cut tuple');
    tupleEnd(buf, at, to, COLUMN_COUNT, f);
    ids.push(buf.toString('utf8', f[0], f[1]));
  }
  return ids;
}

describe('FastHmac', () => {
  it('equals createHmac for keys shorter than, equal to and longer than the block, and long messages', () => {
    for (const keyLength of [1, 16, 32, 63, 64, 65, 100, 200]) {
      const key = randomBytes(keyLength);
      const fast = new FastHmac(key);
      for (const message of ['', 'a|', `${'c'.repeat(64)}|${'d'.repeat(64)}`, 'naïve €'.repeat(100), 'x'.repeat(5000)]) {
        expect(fastHmacHex(fast, message)).toBe(createHmac('sha256', key).update(message, 'utf8').digest('hex'));
      }
    }
  });
});

describe('CanonicalContent.occurredAt', () => {
  it('prints micros × 1000 as Go does, digit by digit as a number and as a bigint alike', () => {
    const printed = (micros: number | bigint): string => {
      const c = new CanonicalContent();
      c.reset();
      for (let i = 0; i < HASHED_FIELDS.length; i++) c.field(null, 0, 0);
      return Buffer.from(c.occurredAt(micros)).toString('latin1').split('\x1f').at(-1)!;
    };
    const edges = [
      0,
      1,
      -1,
      9,
      10,
      99_999_999,
      100_000_000,
      100_000_001,
      -100_000_000,
      1_768_478_400_000_001,
      1_768_478_400_123_456,
      999_999_999_999_999,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
    ];
    for (let i = 0; i < 200; i++) edges.push(Math.floor((Math.random() - 0.5) * 2 * 10 ** Math.floor(Math.random() * 16)));
    for (const n of edges) {
      const expected = n === 0 ? '0' : `${BigInt(n) * 1000n}`;
      expect([n, printed(n)]).toEqual([n, expected]);
      expect([n, printed(BigInt(n))]).toEqual([n, expected]);
    }
  });
});

describe('CopyBinaryBatcher', () => {
  it('hands over whole tuples however the stream is cut, each batch with the tuple before it, and fails on a cut-off stream', () => {
    const rows = chain('z', 40, 1n);
    const bytes = Buffer.concat([HEADER, ...rows.map(tupleOf), int16(-1)]);
    for (const batchBytes of [64, 700, 3000, 1 << 20]) {
      const batches = batchesOf(bytes, batchBytes);
      expect(batches.flatMap((b) => idsIn(b.buffer, b.contextEnd, b.end))).toEqual(rows.map((r) => r.id));
      expect(batches.map((b) => idsIn(b.buffer, b.start, b.contextEnd))).toEqual(
        batches.map((_, i) => (i === 0 ? [] : idsIn(batches[i - 1].buffer, batches[i - 1].contextEnd, batches[i - 1].end).slice(-1))),
      );
      expect(batches.reduce((n, b) => n + b.tuples, 0)).toBe(rows.length);
      if (batchBytes === 1 << 20) expect(batches).toHaveLength(1);
      if (batchBytes === 700) expect(batches.length).toBeGreaterThan(5);
    }

    const cut = new CopyBinaryBatcher(COLUMN_COUNT, 1000, () => undefined);
    cut.push(bytes.subarray(0, bytes.length - 5));
    expect(() => cut.end()).toThrow('COPY binary data ended before its trailer');
    expect(() => new CopyBinaryBatcher(3, 1000, () => undefined).push(bytes)).toThrow('COPY tuple has 17 fields, expected 3');
    expect(() => new CopyBinaryBatcher(COLUMN_COUNT, 1000, () => undefined).push(Buffer.concat([bytes, int16(-1)]))).toThrow(
      'COPY binary data after its trailer',
    );
    expect(() =>
      new CopyBinaryBatcher(COLUMN_COUNT, 1000, () => undefined).push(Buffer.from('PGCOPY\n\xfe\r\n\0........', 'latin1')),
    ).toThrow('no PGCOPY signature');
  });
});

/** Check `batches` in a random order, as a pool of workers does, then merge the findings in read order. */
function checkShuffled(keyHex: string | undefined, batches: TupleBatch[]): ZoneReport[] {
  const checkers = [0, 1].map(() => new RowChecker(keyHex ? new Uint8Array(parseHmacKey(keyHex).export()) : undefined));
  const order = batches.map((_, i) => i).sort(() => Math.random() - 0.5);
  const results = new Map(
    order.map((i) => [i, pick(checkers).check(Buffer.from(batches[i].buffer), batches[i].start, batches[i].contextEnd, batches[i].end)]),
  );
  const zones: ZoneReport[] = [];
  batches.forEach((_, i) => mergeBatch(zones, results.get(i)!.zones));
  return zones;
}

describe('RowChecker', () => {
  it('reports random chains, intact and tampered, with rows outside the chain, exactly as the oracle does, however batched', () => {
    for (let round = 0; round < 60; round++) {
      const zones = ['z1', 'z\t2', "z'3"].map((z, k) =>
        chain(z, 5 + Math.floor(Math.random() * 20), k === 2 ? 9_007_199_254_740_990n : 1n),
      );
      for (let t = round % 4; t > 0; t--) tamper(pick(zones));
      if (round % 5 === 0) pick(zones).forEach((r) => void (Math.random() < 0.2 && (r.chain_seq = null)));
      for (const keyHex of [TEST_KEY_HEX, undefined]) {
        const ordered = zones.map(inSweepOrder).filter((rows) => rows.length > 0);
        const bytes = Buffer.concat([HEADER, ...ordered.flat().map(tupleOf), int16(-1)]);
        const expected = ordered.map((rows) => oracleZone(rows[0].zone_id, rows, keyHex));
        for (const batchBytes of [1 << 20, 200 + Math.floor(Math.random() * 3000)]) {
          expect(checkShuffled(keyHex, batchesOf(bytes, batchBytes))).toEqual(expected);
        }
      }
    }
  });

  it("names the zones where a row shares its predecessor's chain_seq, across batches too", () => {
    const rows = chain('z', 30, 1n);
    rows.splice(12, 0, { ...rows[11], id: 'forged' });
    const bytes = Buffer.concat([HEADER, ...chain('y', 5, 1n).map(tupleOf), ...rows.map(tupleOf), int16(-1)]);
    for (const batchBytes of [1 << 20, 300, 600, 900]) {
      const checker = new RowChecker(undefined);
      const tied = batchesOf(bytes, batchBytes).flatMap((b) => checker.check(Buffer.from(b.buffer), b.start, b.contextEnd, b.end).tied);
      expect(tied).toEqual(['z']);
    }
  });
});
