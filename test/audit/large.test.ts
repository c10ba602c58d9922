// 100,000 rows over 7 zones and two monthly partitions, hashed by SQL (bulk-chain.ts, an implementation
// independent of src/audit): the one COPY spans many chunks, every zone many of them. Verified clean, then
// with one row deleted, equal to the oracle; and aborted mid-stream, the statement ends on the server too.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgCopyClient, type ChunkHandler, type CopyClient, type CopyReader } from '../../src/audit/copy-client.ts';
import { verifyAuditChains } from '../../src/audit/verify.ts';
import { loadCaracalSchema } from '../fixtures/caracal-db.ts';
import { createTempDatabase, type TempDatabase } from '../helpers/pg.ts';
import { insertBulkChain } from './bulk-chain.ts';
import { TEST_KEY_HEX } from './caracal-writer.ts';
import { oracleVerify } from './oracle.ts';
import { SCHEMA_NOW } from './vectors.ts';

const run = promisify(execFile);
const ROWS = 100_000;
const ZONES = 7;

let db: TempDatabase;
let reader: CopyClient;

/** `reader`, counting the chunks it hands over and calling `each` after each one. */
function counting(inner: CopyReader, each: () => void = () => undefined): CopyReader & { chunks: number } {
  const counted = {
    chunks: 0,
    copyOut: (sql: string, onChunk: ChunkHandler, signal?: AbortSignal, settings?: Readonly<Record<string, string>>) =>
      inner.copyOut(
        sql,
        (chunk) => {
          counted.chunks++;
          onChunk(chunk);
          each();
        },
        signal,
        settings,
      ),
  };
  return counted;
}

beforeAll(async () => {
  db = await createTempDatabase('auditl');
  await loadCaracalSchema(db, SCHEMA_NOW);
  // From 2026-01-31T12:00:00.000001Z, one row every 1.234567 s: about 34 h, across the February boundary.
  const startMicros = BigInt(Date.parse('2026-01-31T12:00:00Z')) * 1000n + 1n;
  await insertBulkChain(db, { rows: ROWS, zones: ZONES, startMicros, stepMicros: 1_234_567, keyHex: TEST_KEY_HEX });
  reader = pgCopyClient({ url: db.url, statementTimeoutMs: 10_000 });
}, 120_000);
afterAll(async () => {
  await reader.end();
  await db.drop();
});

describe('a 100,000-row chain', () => {
  it('verifies clean through the built CLI, its worker threads started from the bundle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-deep-'));
    const config = join(dir, 'config.yml');
    writeFileSync(config, `caracal: { postgres: { url: "${db.url}" } }\n`);
    const env = { ...process.env, CARACAL_CHATOPS_CONFIG: '', CARACAL_AUDIT_HMAC_KEY: TEST_KEY_HEX };
    const { stdout } = await run('node', ['bin/caracal-chatops.js', 'check', '--json', '--only', 'audit.chain', '--config', config], {
      env,
    });
    const [result] = (JSON.parse(stdout) as { results: { id: string; status: string; summary: string }[] }).results;
    expect(result).toMatchObject({ id: 'audit.chain', status: 'pass' });
    expect(result.summary).toBe(`All ${ROWS} audit rows in ${ZONES} zones verify (content hashes, links, chain_seq and chain_hmac).`);
  }, 60_000);

  it('verifies clean with the HMAC across chunks and partitions, then finds one deleted row, as the oracle does', async () => {
    const parts = await db.exec('SELECT tableoid::regclass::text AS p FROM public.audit_events GROUP BY 1 ORDER BY 1');
    expect((parts.rows as { p: string }[]).map((r) => r.p)).toEqual(['audit_events_y2026m01', 'audit_events_y2026m02']);

    const counted = counting(reader);
    const clean = await verifyAuditChains(counted, { hmacKeyHex: TEST_KEY_HEX });
    expect(clean).toMatchObject({ ok: true, rowsChecked: ROWS, hmacChecked: true });
    expect(clean.zones.map((z) => [z.zoneId, z.rowsChecked, z.firstBreak])).toEqual(
      Array.from({ length: ZONES }, (_, i) => [`zone-${i}`, Math.floor(ROWS / ZONES) + (i < ROWS % ZONES ? 1 : 0), null]),
    );
    // Far more chunks than zones, so tuples are cut across chunks inside every zone.
    expect(counted.chunks).toBeGreaterThan(10 * ZONES);

    const seq = 10_001;
    await db.exec(`DELETE FROM public.audit_events WHERE zone_id = 'zone-3' AND chain_seq = $1`, [seq]);
    const r = await verifyAuditChains(reader, { hmacKeyHex: TEST_KEY_HEX });
    expect({ ...r, durationMs: 0 }).toEqual(await oracleVerify(db, TEST_KEY_HEX));
    expect(r.zones.filter((z) => z.firstBreak).map((z) => [z.zoneId, z.brokenRows, z.firstBreak])).toEqual([
      [
        'zone-3',
        1,
        {
          id: `evt-${String(seq * ZONES + 3).padStart(8, '0')}`,
          chainSeq: String(seq + 1),
          kind: 'broken_link',
          kinds: ['broken_link', 'seq_gap'],
        },
      ],
    ]);
    expect(r.rowsChecked).toBe(ROWS - 1);
  }, 60_000);

  it('tampered in several zones (a forged row sharing a chain_seq, rows without one, an edited field): worker threads, the calling thread and the oracle agree', async () => {
    await db.exec('ALTER TABLE public.audit_events ALTER COLUMN chain_seq DROP NOT NULL');
    await db.exec(`INSERT INTO public.audit_events (id, zone_id, event_type, occurred_at, content_sha256, prev_content_sha256, chain_seq)
      SELECT id || 'x', zone_id, event_type, occurred_at, content_sha256, prev_content_sha256, chain_seq FROM public.audit_events
      WHERE zone_id = 'zone-1' AND chain_seq = 5000`);
    await db.exec(`UPDATE public.audit_events SET chain_seq = NULL WHERE zone_id = 'zone-2' AND chain_seq IN (7000, 300)`);
    await db.exec(`UPDATE public.audit_events SET decision = 'allow!' WHERE zone_id = 'zone-5' AND chain_seq = 12345`);
    const expected = await oracleVerify(db, TEST_KEY_HEX);
    expect(expected.zones.filter((z) => z.firstBreak).map((z) => z.zoneId)).toEqual(['zone-1', 'zone-2', 'zone-3', 'zone-5']);
    const before = readdirSync('/proc/self/task').length;
    const pooled = await verifyAuditChains(reader, { hmacKeyHex: TEST_KEY_HEX, threads: 2, batchBytes: 64 * 1024 });
    const inline = await verifyAuditChains(reader, { hmacKeyHex: TEST_KEY_HEX, threads: 0 });
    expect({ ...pooled, durationMs: 0 }).toEqual(expected);
    expect({ ...inline, durationMs: 0 }).toEqual(expected);
    await expect.poll(() => readdirSync('/proc/self/task').length, { timeout: 10_000 }).toBeLessThanOrEqual(before);
  }, 120_000);

  it('stops when aborted mid-stream, and the server ends the COPY', async () => {
    const own = pgCopyClient({ url: db.url, statementTimeoutMs: 10_000 });
    const controller = new AbortController();
    try {
      const aborting = counting(own, () => controller.abort(new Error('deadline')));
      await expect(verifyAuditChains(aborting, { signal: controller.signal })).rejects.toThrow('deadline');
      expect(aborting.chunks).toBe(1);
    } finally {
      await own.end();
    }
    // Awaited condition, not a sleep: the backend notices the closed socket when it next sends.
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      const copies = async () =>
        (
          await admin.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE 'COPY (SELECT%' AND pid <> pg_backend_pid()`,
          )
        ).rows[0].n as number;
      await expect.poll(copies, { timeout: 20_000, interval: 100 }).toBe(0);
    } finally {
      await admin.end();
    }
  }, 60_000);
});
