// verifyAuditChains over real Postgres: chains written like Caracal's Insert, then tampered the ways an
// attacker (or a bad restore) would, each found at the right zone, row and kind (verify-oracle.test.ts holds
// the same cases to the oracle; these spell the expected break out).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pgCopyClient, type CopyClient } from '../../src/audit/copy-client.ts';
import { NO_KEY_NOTE, type VerifyReport, type ZoneReport } from '../../src/audit/report.ts';
import { verifyAuditChains } from '../../src/audit/verify.ts';
import { loadCaracalSchema } from '../fixtures/caracal-db.ts';
import { createTempDatabase, type TempDatabase } from '../helpers/pg.ts';
import { insertEvent, referenceHmac, TEST_KEY_HEX } from './caracal-writer.ts';
import { recomputedContent } from './oracle.ts';
import { insertVectors, PER_ZONE, SCHEMA_NOW, ZONES } from './vectors.ts';

let db: TempDatabase;
let reader: CopyClient;

const verify = (keyHex: string | null = TEST_KEY_HEX): Promise<VerifyReport> =>
  verifyAuditChains(reader, { hmacKeyHex: keyHex ?? undefined });
const zone = (r: VerifyReport, id: string): ZoneReport => r.zones.find((z) => z.zoneId === id)!;
const sql = (text: string, params?: unknown[]) => db.exec(text, params);
const contentOf = async (id: string): Promise<string> =>
  (await sql('SELECT content_sha256 AS c FROM public.audit_events WHERE id = $1', [id])).rows[0].c as string;

/** The report's break for one zone, with everything else asserted intact. */
function onlyBreak(r: VerifyReport, zoneId: string) {
  expect(r.ok).toBe(false);
  for (const z of r.zones) if (z.zoneId !== zoneId) expect(z.firstBreak).toBeNull();
  return zone(r, zoneId).firstBreak;
}

beforeAll(async () => {
  db = await createTempDatabase('auditv');
  await loadCaracalSchema(db, SCHEMA_NOW);
  reader = pgCopyClient({ url: db.url, statementTimeoutMs: 5000 });
});
beforeEach(async () => {
  await sql('TRUNCATE public.audit_events');
  await insertVectors(db, TEST_KEY_HEX);
});
afterAll(async () => {
  await reader.end();
  await db.drop();
});

describe('verifyAuditChains', () => {
  it('reports intact chains clean, per zone, zones in order', async () => {
    const r = await verify(TEST_KEY_HEX);
    expect(r).toMatchObject({ ok: true, rowsChecked: ZONES.length * PER_ZONE, hmacChecked: true, notes: [] });
    expect(r.zones).toEqual(
      ZONES.map((zoneId) => ({
        zoneId,
        rowsChecked: PER_ZONE,
        brokenRows: 0,
        firstBreak: null,
        firstSeq: '1',
        unchainedRows: 0,
        kindsSeen: [],
      })),
    );
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('finds a changed field at that row as content_mismatch', async () => {
    await sql(`UPDATE public.audit_events SET decision = 'allow' WHERE id = 'b-4'`);
    const r = await verify();
    expect(onlyBreak(r, 'zone-b')).toEqual({ id: 'b-4', chainSeq: '4', kind: 'content_mismatch', kinds: ['content_mismatch'] });
    expect(zone(r, 'zone-b')).toMatchObject({ rowsChecked: PER_ZONE, brokenRows: 1 });
  });

  it('is sensitive to one microsecond of occurred_at and to the JSON text', async () => {
    await sql(`UPDATE public.audit_events SET occurred_at = occurred_at + interval '1 microsecond' WHERE id = 'c-6'`);
    await sql(`UPDATE public.audit_events SET metadata_json = metadata_json || '{"x": 1}' WHERE id = 'a-7'`);
    const r = await verify();
    expect(zone(r, 'zone-c').firstBreak).toMatchObject({ id: 'c-6', kind: 'content_mismatch' });
    expect(zone(r, 'zone-a').firstBreak).toMatchObject({ id: 'a-7', kind: 'content_mismatch' });
  });

  it('keeps exact microseconds far from 1970, where a float epoch would round them', async () => {
    for (let i = 1; i <= 20; i++) {
      const occurred_at = `2250-06-30T23:59:59.${String(i * 49_999).padStart(6, '0')}Z`;
      await insertEvent(db, { id: `far-${i}`, zone_id: 'zone-far', occurred_at }, TEST_KEY_HEX);
    }
    expect(zone(await verify(), 'zone-far')).toMatchObject({ rowsChecked: 20, firstBreak: null });
  });

  it('finds a deleted middle row at the row after the gap (link and sequence)', async () => {
    await sql(`DELETE FROM public.audit_events WHERE id = 'a-5'`);
    const r = await verify();
    expect(onlyBreak(r, 'zone-a')).toEqual({ id: 'a-6', chainSeq: '6', kind: 'broken_link', kinds: ['broken_link', 'seq_gap'] });
    expect(zone(r, 'zone-a')).toMatchObject({ rowsChecked: PER_ZONE - 1, brokenRows: 1 });
  });

  it('still finds a deleted row whose successor was re-linked and re-signed (seq_gap only)', async () => {
    await sql(`DELETE FROM public.audit_events WHERE id = 'a-5'`);
    const prev = await contentOf('a-4');
    const hmac = referenceHmac(TEST_KEY_HEX, await contentOf('a-6'), prev);
    await sql(`UPDATE public.audit_events SET prev_content_sha256 = $1, chain_hmac = $2 WHERE id = 'a-6'`, [prev, hmac]);
    expect(onlyBreak(await verify(), 'zone-a')).toEqual({ id: 'a-6', chainSeq: '6', kind: 'seq_gap', kinds: ['seq_gap'] });
  });

  it('finds a reordered pair (chain_seq swapped) at the first moved row', async () => {
    await sql(`UPDATE public.audit_events SET chain_seq = 7 - chain_seq WHERE zone_id = 'zone-c' AND chain_seq IN (3, 4)`);
    const r = await verify();
    expect(onlyBreak(r, 'zone-c')).toEqual({ id: 'c-4', chainSeq: '3', kind: 'broken_link', kinds: ['broken_link'] });
    expect(zone(r, 'zone-c').brokenRows).toBe(3);
  });

  it('finds a tampered chain_hmac only with the key, and says plainly when it was not checked', async () => {
    await sql(`UPDATE public.audit_events SET chain_hmac = $1 WHERE id = 'c-2'`, ['ab'.repeat(32)]);
    expect(onlyBreak(await verify(), 'zone-c')).toEqual({ id: 'c-2', chainSeq: '2', kind: 'hmac_mismatch', kinds: ['hmac_mismatch'] });
    const unkeyed = await verify(null);
    expect(unkeyed).toMatchObject({ ok: true, hmacChecked: false, notes: [NO_KEY_NOTE] });
    expect(NO_KEY_NOTE).toMatch(/^chain_hmac was NOT checked: no AUDIT_HMAC_KEY was given/);
  });

  it('catches a rewritten row with a recomputed hash: by HMAC with the key, by the next link without', async () => {
    await sql(`UPDATE public.audit_events SET decision = 'deny' WHERE id = 'b-3'`);
    expect(onlyBreak(await verify(), 'zone-b')).toMatchObject({ id: 'b-3', kinds: ['content_mismatch'] });
    // The attacker recomputes content_sha256 (the recipe is public) but cannot re-sign without the key.
    await sql(`UPDATE public.audit_events SET content_sha256 = $1 WHERE id = 'b-3'`, [await recomputedContent(db, 'b-3')]);
    expect(onlyBreak(await verify(), 'zone-b')).toMatchObject({ id: 'b-3', kinds: ['hmac_mismatch'] });
    expect(onlyBreak(await verify(null), 'zone-b')).toEqual({ id: 'b-4', chainSeq: '4', kind: 'broken_link', kinds: ['broken_link'] });
  });

  it('does not skip a forged row that shares a chain_seq', async () => {
    await sql(`INSERT INTO public.audit_events (id, zone_id, event_type, occurred_at, content_sha256, prev_content_sha256, chain_seq)
      SELECT 'a-4x', zone_id, event_type, occurred_at, content_sha256, prev_content_sha256, chain_seq FROM public.audit_events WHERE id = 'a-4'`);
    const r = await verify(TEST_KEY_HEX);
    expect(zone(r, 'zone-a').rowsChecked).toBe(PER_ZONE + 1);
    expect(onlyBreak(r, 'zone-a')).toMatchObject({
      id: 'a-4x',
      chainSeq: '4',
      kinds: ['content_mismatch', 'broken_link', 'hmac_mismatch', 'seq_gap'],
    });
  });

  it('accepts a chain whose oldest rows were dropped (retention), reporting where it starts', async () => {
    await sql(`DELETE FROM public.audit_events WHERE zone_id = 'zone-a' AND chain_seq <= 2`);
    const r = await verify();
    expect(r.ok).toBe(true);
    expect(zone(r, 'zone-a')).toMatchObject({ rowsChecked: PER_ZONE - 2, firstSeq: '3', firstBreak: null });
  });

  it('flags a first row (chain_seq 1) that points to a previous row', async () => {
    await sql(`UPDATE public.audit_events SET prev_content_sha256 = content_sha256 WHERE id = 'b-1'`);
    expect(onlyBreak(await verify(null), 'zone-b')).toEqual({ id: 'b-1', chainSeq: '1', kind: 'broken_link', kinds: ['broken_link'] });
  });

  it('refuses a key that is not hex before reading anything, and stops when aborted', async () => {
    await expect(verify('not-hex')).rejects.toThrow(/not valid hex/);
    const signal = AbortSignal.abort(new Error('deadline'));
    await expect(verifyAuditChains(reader, { signal })).rejects.toThrow('deadline');
  });
});
