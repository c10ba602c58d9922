// The hashing on worker threads (verify-pool.ts) against the calling thread, without Postgres: batches checked by a
// worker give the calling thread's findings; a verification gives the same report either way, and the oracle's;
// workers end with the verification, whether it succeeds, fails or is aborted, and no thread is left behind; a worker
// that cannot start fails the pool; and the build's worker entry is the one dist/audit's pool starts.
// test/audit/large.test.ts does the same on 100,000 rows of real Postgres, and runs the built CLI.
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseHmacKey } from '../../src/audit/chain.ts';
import { CopyBinaryBatcher, tupleEnd, type TupleBatch } from '../../src/audit/copy-binary.ts';
import type { VerifyReport, ZoneReport } from '../../src/audit/report.ts';
import { COLUMN_COUNT, mergeBatch, RowChecker, type BatchResult } from '../../src/audit/row-check.ts';
import { CheckPool } from '../../src/audit/verify-pool.ts';
import type * as PoolModule from '../../src/audit/verify-pool.ts';
import { verifyAuditChains, ZONE_SETTING } from '../../src/audit/verify.ts';
import { TEST_KEY_HEX } from './caracal-writer.ts';
import { chain, copyBinary, fakeCopyReader, HEADER, int16, oracleOf, pick, tamper, tupleOf } from './copy-fixture.ts';
import type { OracleRow } from './oracle.ts';

const KEY = new Uint8Array(parseHmacKey(TEST_KEY_HEX).export());
const timeless = (r: VerifyReport) => ({ ...r, durationMs: 0 });

/** This process's OS threads (Linux): a worker thread is one, until it has ended. */
const threadCount = (): number => readdirSync('/proc/self/task').length;

/** Four zones of a few hundred rows, tampered a dozen ways (forged rows sharing a chain_seq, rows without one...). */
function tamperedRows(): OracleRow[] {
  const zones = ['z1', 'z\t2', "z'3", 'z4'].map((z, k) =>
    chain(z, 200 + Math.floor(Math.random() * 300), k === 2 ? 9_007_199_254_740_990n : 1n),
  );
  for (let t = 0; t < 12; t++) tamper(pick(zones));
  for (const r of pick(zones)) if (Math.random() < 0.05) r.chain_seq = null;
  return zones.flat();
}

/** A COPY stream of `rows` with occurred_at NULL (NOT NULL in Caracal's schema): a batch the checker throws on. */
function withoutTime(rows: readonly OracleRow[]): Buffer {
  const nullField = Buffer.alloc(4);
  nullField.writeInt32BE(-1);
  const f = new Int32Array(2 * COLUMN_COUNT);
  const tuples = rows.map(tupleOf).map((t) => {
    tupleEnd(t, 0, t.length, COLUMN_COUNT, f);
    return Buffer.concat([t.subarray(0, f[24] - 4), nullField, t.subarray(f[25])]);
  });
  return Buffer.concat([HEADER, ...tuples, int16(-1)]);
}

function batchesOf(bytes: Buffer, batchBytes: number): TupleBatch[] {
  const batches: TupleBatch[] = [];
  const batcher = new CopyBinaryBatcher(COLUMN_COUNT, batchBytes, (b) => batches.push(b));
  batcher.push(bytes);
  batcher.end();
  return batches;
}

function merged(results: readonly BatchResult[]): { zones: ZoneReport[]; tied: string[] } {
  const zones: ZoneReport[] = [];
  for (const r of results) mergeBatch(zones, r.zones);
  return { zones, tied: results.flatMap((r) => r.tied) };
}

async function readyPool(size: number, entry?: URL): Promise<CheckPool> {
  const pool = new CheckPool(size, KEY, entry);
  await expect.poll(() => pool.ready, { timeout: 15_000 }).toBe(true);
  return pool;
}

/** Wait until the threads started since `before` have ended. */
const noThreadLeftSince = (before: number) => expect.poll(threadCount, { timeout: 10_000 }).toBeLessThanOrEqual(before);

describe('CheckPool', () => {
  it('checks batches on its workers exactly as the calling thread does, findings and ties included, and ends them on close', async () => {
    const before = threadCount();
    const pool = await readyPool(2);
    expect(threadCount()).toBeGreaterThan(before);
    try {
      for (let round = 0; round < 5; round++) {
        const batches = batchesOf(copyBinary(tamperedRows()), 2000 + Math.floor(Math.random() * 8000));
        const checker = new RowChecker(KEY);
        const inline = batches.map((b) => checker.check(Buffer.from(b.buffer), b.start, b.contextEnd, b.end));
        // All at once, spread over both workers, the buffers transferred to them and back.
        const pooled = await Promise.all(batches.map((b) => pool.check(b)));
        expect(batches[0].buffer.byteLength).toBe(0); // transferred, not copied
        expect(pooled.every((p) => p.buffer.byteLength > 0)).toBe(true);
        expect(merged(pooled.map((p) => p.result))).toEqual(merged(inline));
        expect(merged(inline).zones.some((z) => z.firstBreak !== null)).toBe(true);
      }
      // Closed while batches are with the workers: those checks fail, none is left waiting.
      const inFlight = Promise.allSettled(batchesOf(copyBinary(tamperedRows()), 2000).map((b) => pool.check(b)));
      await pool.close();
      expect(new Set((await inFlight).map((s) => s.status === 'rejected' && (s.reason as Error).message))).toEqual(
        new Set(['worker pool closed']),
      );
      await expect(pool.check(batchesOf(copyBinary(chain('z', 3, 1n)), 4096)[0])).rejects.toThrow();
    } finally {
      await pool.close();
    }
    await noThreadLeftSince(before);
  });

  it('fails with the error a worker throws, and with one that cannot start', async () => {
    const before = threadCount();
    const pool = await readyPool(1);
    const broken = batchesOf(withoutTime(chain('z', 3, 1n)), 4096)[0];
    await expect(pool.check(broken)).rejects.toThrow('occurred_at is NULL');
    expect(() => pool.throwIfFailed()).toThrow('occurred_at is NULL');
    await pool.close();

    const missing = new CheckPool(1, undefined, new URL('./no-such-worker.js', import.meta.url));
    await expect
      .poll(
        () => {
          try {
            missing.throwIfFailed();
            return 'running';
          } catch (err) {
            return (err as Error).message;
          }
        },
        { timeout: 15_000 },
      )
      .toMatch(/Cannot find module/);
    await missing.close();
    await noThreadLeftSince(before);
  });

  it('from the build: dist/audit starts its own verify-worker.js, plain JavaScript', async () => {
    expect(existsSync(new URL('../../dist/audit/verify-worker.js', import.meta.url))).toBe(true);
    const built = (await import(new URL('../../dist/audit/verify-pool.js', import.meta.url).href)) as typeof PoolModule;
    expect(built.WORKER_ENTRY.pathname).toMatch(/\/dist\/audit\/verify-worker\.js$/);
    const before = threadCount();
    const pool = new built.CheckPool(1, KEY);
    try {
      await expect.poll(() => pool.ready, { timeout: 15_000 }).toBe(true);
      const batches = batchesOf(copyBinary(tamperedRows()), 1 << 20);
      const inline = new RowChecker(KEY).check(Buffer.from(batches[0].buffer), batches[0].start, batches[0].contextEnd, batches[0].end);
      expect((await pool.check(batches[0])).result).toEqual(inline);
    } finally {
      await pool.close();
    }
    await noThreadLeftSince(before);
  });
});

describe('verifyAuditChains on worker threads', () => {
  it('reports what the calling thread reports, and the oracle, on tampered chains', async () => {
    for (let round = 0; round < 4; round++) {
      const rows = tamperedRows();
      const reader = fakeCopyReader(rows, ZONE_SETTING, 3000);
      for (const hmacKeyHex of [TEST_KEY_HEX, undefined]) {
        const inline = await verifyAuditChains(reader, { hmacKeyHex, threads: 0 });
        const pooled = await verifyAuditChains(reader, { hmacKeyHex, threads: 2, batchBytes: 2048 });
        expect(timeless(pooled)).toEqual(timeless(inline));
        expect(inline.zones).toEqual(oracleOf(rows, hmacKeyHex));
      }
    }
  });

  it('ends its workers when a batch fails or the caller aborts, leaving no thread behind', async () => {
    await verifyAuditChains(fakeCopyReader(chain('warm', 5, 1n), ZONE_SETTING), { threads: 0 });
    const before = threadCount();
    const rows = Array.from({ length: 3 }, (_, k) => chain(`z${k}`, 400, 1n)).flat();

    const controller = new AbortController();
    let chunks = 0;
    const slow = fakeCopyReader(rows, ZONE_SETTING, 2000);
    const aborting = {
      copyOut: (sql: string, onChunk: (c: Buffer) => void, signal?: AbortSignal) =>
        slow.copyOut(
          sql,
          (c) => {
            onChunk(c);
            if (++chunks === 60) controller.abort(new Error('deadline'));
          },
          signal,
        ),
    };
    await expect(verifyAuditChains(aborting, { threads: 2, batchBytes: 2048, signal: controller.signal })).rejects.toThrow('deadline');
    await noThreadLeftSince(before);

    // A batch that fails on whichever thread checks it.
    const bytes = Buffer.concat([copyBinary(rows).subarray(0, -2), withoutTime(chain('z9', 50, 1n)).subarray(HEADER.length)]);
    const failing = {
      copyOut: async (_sql: string, onChunk: (c: Buffer) => void) => {
        for (let at = 0; at < bytes.length; at += 1500) {
          onChunk(bytes.subarray(at, at + 1500));
          await new Promise((resolve) => setImmediate(resolve));
        }
      },
    };
    await expect(verifyAuditChains(failing, { threads: 2, batchBytes: 2048 })).rejects.toThrow('occurred_at is NULL');
    await noThreadLeftSince(before);
  });

  it('refuses a thread count that is not a whole number', async () => {
    await expect(verifyAuditChains(fakeCopyReader([], ZONE_SETTING), { threads: 1.5 })).rejects.toThrow(RangeError);
  });
});
