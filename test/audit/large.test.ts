// 100,000 rows over 7 zones and two monthly partitions, hashed by SQL (an implementation independent of
// src/audit): the verifier must walk them all in pages and find one deleted row at a page boundary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresTarget, type PostgresTarget } from '../../src/checks/targets/postgres.ts';
import { DEFAULT_BATCH_SIZE, sqlAuditSource } from '../../src/audit/sql-source.ts';
import { verifyAuditChains } from '../../src/audit/verify.ts';
import { loadCaracalSchema } from '../fixtures/caracal-db.ts';
import { createTempDatabase, type TempDatabase } from '../helpers/pg.ts';
import { insertBulkChain } from './bulk-chain.ts';
import { TEST_KEY_HEX } from './caracal-writer.ts';
import { SCHEMA_NOW } from './vectors.ts';

const ROWS = 100_000;
const ZONES = 7;

let db: TempDatabase;
let target: PostgresTarget;

beforeAll(async () => {
  db = await createTempDatabase('auditl');
  await loadCaracalSchema(db, SCHEMA_NOW);
  // From 2026-01-31T12:00:00.000001Z, one row every 1.234567 s: about 34 h, across the February boundary.
  const startMicros = BigInt(Date.parse('2026-01-31T12:00:00Z')) * 1000n + 1n;
  await insertBulkChain(db, { rows: ROWS, zones: ZONES, startMicros, stepMicros: 1_234_567, keyHex: TEST_KEY_HEX });
  target = createPostgresTarget({ url: db.url, statementTimeoutMs: 10_000 });
}, 60_000);
afterAll(async () => {
  await target.end();
  await db.drop();
});

describe('a 100,000-row chain', () => {
  it('verifies clean, with the HMAC, across two partitions', async () => {
    const parts = await db.exec('SELECT tableoid::regclass::text AS p FROM public.audit_events GROUP BY 1 ORDER BY 1');
    expect((parts.rows as { p: string }[]).map((r) => r.p)).toEqual(['audit_events_y2026m01', 'audit_events_y2026m02']);

    const r = await verifyAuditChains(sqlAuditSource(target), { hmacKeyHex: TEST_KEY_HEX });
    expect(r).toMatchObject({ ok: true, rowsChecked: ROWS, hmacChecked: true });
    expect(r.zones.map((z) => [z.zoneId, z.rowsChecked, z.firstBreak])).toEqual(
      Array.from({ length: ZONES }, (_, i) => [`zone-${i}`, Math.floor(ROWS / ZONES) + (i < ROWS % ZONES ? 1 : 0), null]),
    );
    console.log(`verified ${ROWS} rows in ${r.durationMs} ms (${Math.round((ROWS * 1000) / r.durationMs)} rows/s)`);
  }, 30_000);

  it('finds a row deleted at a page boundary, and only that', async () => {
    const seq = DEFAULT_BATCH_SIZE + 1;
    await db.exec(`DELETE FROM public.audit_events WHERE zone_id = 'zone-3' AND chain_seq = $1`, [seq]);
    const r = await verifyAuditChains(sqlAuditSource(target), { hmacKeyHex: TEST_KEY_HEX });
    expect(r.ok).toBe(false);
    expect(r.zones.filter((z) => z.firstBreak).map((z) => [z.zoneId, z.brokenRows, z.firstBreak])).toEqual([
      ['zone-3', 1, { id: `evt-${String(seq * ZONES + 3).padStart(8, '0')}`, chainSeq: String(seq + 1), kind: 'broken_link', kinds: ['broken_link', 'seq_gap'] }],
    ]);
    expect(r.rowsChecked).toBe(ROWS - 1);
  }, 30_000);
});
