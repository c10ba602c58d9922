// The COPY path over 100,000 SQL-hashed rows (bulk-chain.ts) in pages of the default size, so every zone
// spans several pages: intact, then with one row deleted right at a page boundary, equal to the reference.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresTarget, type PostgresTarget } from '../../src/checks/targets/postgres.ts';
import { pgCopyClient, type CopyClient } from '../../src/audit/copy-client.ts';
import { DEFAULT_PAGE_SIZE, verifyAuditChainsCopy } from '../../src/audit/copy-verify.ts';
import { sqlAuditSource } from '../../src/audit/sql-source.ts';
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
let reader: CopyClient;

beforeAll(async () => {
  db = await createTempDatabase('auditfl');
  await loadCaracalSchema(db, SCHEMA_NOW);
  const startMicros = BigInt(Date.parse('2026-01-31T12:00:00Z')) * 1000n + 1n;
  await insertBulkChain(db, { rows: ROWS, zones: ZONES, startMicros, stepMicros: 1_234_567, keyHex: TEST_KEY_HEX });
  target = createPostgresTarget({ url: db.url, statementTimeoutMs: 10_000 });
  reader = pgCopyClient({ url: db.url, statementTimeoutMs: 10_000 });
}, 60_000);
afterAll(async () => {
  await reader.end();
  await target.end();
  await db.drop();
});

describe('verifyAuditChainsCopy on a 100,000-row chain', () => {
  it('verifies it clean across pages and partitions, then finds a row deleted at a page boundary', async () => {
    expect(ROWS / ZONES).toBeGreaterThan(DEFAULT_PAGE_SIZE);
    const clean = await verifyAuditChainsCopy(target, reader, { hmacKeyHex: TEST_KEY_HEX });
    expect(clean).toMatchObject({ ok: true, rowsChecked: ROWS, hmacChecked: true });

    const seq = DEFAULT_PAGE_SIZE + 1;
    await db.exec(`DELETE FROM public.audit_events WHERE zone_id = 'zone-3' AND chain_seq = $1`, [seq]);
    const fast = await verifyAuditChainsCopy(target, reader, { hmacKeyHex: TEST_KEY_HEX });
    const reference = await verifyAuditChains(sqlAuditSource(target), { hmacKeyHex: TEST_KEY_HEX });
    expect({ ...fast, durationMs: 0 }).toEqual({ ...reference, durationMs: 0 });
    expect(fast.zones.filter((z) => z.firstBreak).map((z) => [z.zoneId, z.brokenRows, z.firstBreak?.chainSeq])).toEqual([
      ['zone-3', 1, String(seq + 1)],
    ]);
  }, 30_000);
});
