// verifyAuditChains against the test oracle (oracle.ts) on real Postgres: the vectors (3 zones, two partitions,
// NULL JSON, µs timestamps), tampered in 17 ways and more, must give identical reports with and without the key.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pgCopyClient, type CopyClient } from '../../src/audit/copy-client.ts';
import type { VerifyReport } from '../../src/audit/report.ts';
import { verifyAuditChains } from '../../src/audit/verify.ts';
import { TargetError } from '../../src/errors.ts';
import { loadCaracalSchema } from '../fixtures/caracal-db.ts';
import { closedPort } from '../helpers/faults.ts';
import { createTempDatabase, type TempDatabase } from '../helpers/pg.ts';
import { insertEvent, referenceHmac, TEST_KEY_HEX } from './caracal-writer.ts';
import { oracleVerify, recomputedContent } from './oracle.ts';
import { insertVectors, SCHEMA_NOW } from './vectors.ts';

let db: TempDatabase;
let reader: CopyClient;
const sql = (text: string, params?: unknown[]) => db.exec(text, params);
const timeless = (r: VerifyReport) => ({ ...r, durationMs: 0 });

/** The verifier and the oracle, keyed and unkeyed: reports equal; returns the keyed one. */
async function same(): Promise<VerifyReport> {
  let keyed: VerifyReport | undefined;
  for (const key of [TEST_KEY_HEX, undefined]) {
    const expected = await oracleVerify(db, key);
    expect(timeless(await verifyAuditChains(reader, { hmacKeyHex: key }))).toEqual(expected);
    keyed ??= expected;
  }
  return keyed!;
}

const set = (assignment: string, where: string): string => `UPDATE public.audit_events SET ${assignment} WHERE ${where}`;
const FORGED_SEQ = `INSERT INTO public.audit_events (id, zone_id, event_type, occurred_at, content_sha256,
  prev_content_sha256, chain_seq) SELECT 'a-4x', zone_id, event_type, occurred_at, content_sha256, prev_content_sha256,
  chain_seq FROM public.audit_events WHERE id = 'a-4'`;

// Each is applied to fresh vectors; `broken` says whether the keyed report must fail (a check on the test).
const TAMPERS: { name: string; sql: string[]; broken: boolean }[] = [
  { name: 'intact', sql: [], broken: false },
  { name: 'a text field edited', sql: [set(`decision = 'allow'`, `id = 'b-4'`)], broken: true },
  { name: 'one microsecond later', sql: [set(`occurred_at = occurred_at + interval '1 microsecond'`, `id = 'c-6'`)], broken: true },
  {
    name: 'JSON edited, JSON nulled',
    sql: [set(`metadata_json = metadata_json || '{"x": 1}'`, `id = 'a-7'`), set('diagnostics_json = NULL', `id = 'b-3'`)],
    broken: true,
  },
  // SQL NULL JSON hashes as `null`, so JSON null in its place is the same content (§5.3), on both paths.
  { name: 'a NULL JSON set to JSON null', sql: [set(`metadata_json = 'null'::jsonb`, `id = 'c-3'`)], broken: false },
  { name: 'a NULL JSON filled in', sql: [set(`metadata_json = '{}'::jsonb`, `id = 'c-3'`)], broken: true },
  { name: 'a tab, newline and backslash in a field', sql: [set(`request_id = E'r\\t1\\n\\\\x'`, `id = 'a-2'`)], broken: true },
  { name: 'a middle row deleted', sql: [`DELETE FROM public.audit_events WHERE id = 'a-5'`], broken: true },
  { name: 'a reordered pair', sql: [set('chain_seq = 7 - chain_seq', `zone_id = 'zone-c' AND chain_seq IN (3, 4)`)], broken: true },
  {
    name: 'a forged chain_hmac, and one emptied',
    sql: [set(`chain_hmac = repeat('ab', 32)`, `id = 'c-2'`), set(`chain_hmac = ''`, `id = 'a-9'`)],
    broken: true,
  },
  {
    name: 'links set to NULL, empty and uppercase',
    sql: [
      set('prev_content_sha256 = NULL', `id = 'b-5'`),
      set(`prev_content_sha256 = ''`, `id = 'c-1'`),
      set('prev_content_sha256 = upper(prev_content_sha256)', `id = 'a-8'`),
    ],
    broken: true,
  },
  { name: 'a first row pointing back', sql: [set('prev_content_sha256 = content_sha256', `id = 'b-1'`)], broken: true },
  { name: 'content_sha256 with an escape in it', sql: [set(`content_sha256 = content_sha256 || E'\\\\'`, `id = 'b-6'`)], broken: true },
  { name: 'a forged row sharing a chain_seq', sql: [FORGED_SEQ], broken: true },
  {
    name: 'oldest rows dropped by retention',
    sql: [`DELETE FROM public.audit_events WHERE zone_id = 'zone-a' AND chain_seq <= 2`],
    broken: false,
  },
  {
    name: 'chain_seq past 2^53, across 10^15, and negative',
    sql: [
      set('chain_seq = chain_seq + 9007199254740985', `zone_id = 'zone-a'`),
      set('chain_seq = chain_seq + 999999999999993', `zone_id = 'zone-b'`),
      set('chain_seq = chain_seq - 6', `zone_id = 'zone-c'`),
    ],
    broken: true,
  },
];

beforeAll(async () => {
  db = await createTempDatabase('auditf');
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

describe('verifyAuditChains agrees with the oracle', () => {
  it.each(TAMPERS)('$name', async ({ sql: statements, broken }) => {
    for (const s of statements) await sql(s);
    expect((await same()).ok).toBe(!broken);
  });

  it('on a re-linked, re-signed deletion and on a recomputed content hash', async () => {
    const contentOf = async (id: string) =>
      (await sql('SELECT content_sha256 AS c FROM public.audit_events WHERE id = $1', [id])).rows[0].c as string;
    await sql(`DELETE FROM public.audit_events WHERE id = 'a-5'`);
    const prev = await contentOf('a-4');
    const hmac = referenceHmac(TEST_KEY_HEX, await contentOf('a-6'), prev);
    await sql(set('prev_content_sha256 = $1, chain_hmac = $2', `id = 'a-6'`), [prev, hmac]);
    await sql(set(`decision = 'deny'`, `id = 'b-3'`));
    await sql(set('content_sha256 = $1', `id = 'b-3'`), [await recomputedContent(db, 'b-3')]);
    const r = await same();
    expect(r.zones.map((z) => z.firstBreak?.kinds)).toEqual([['seq_gap'], ['hmac_mismatch'], undefined]);
  });

  it('on rows whose chain columns are NULL: counted per zone, and the zone fails at that row (as Caracal sweeps them)', async () => {
    // Caracal's audit_events declares the chain columns nullable (0001_baseline.up.sql); whatever this fixture says.
    await sql('ALTER TABLE public.audit_events ALTER COLUMN chain_seq DROP NOT NULL');
    await sql(set('chain_seq = NULL', `id IN ('b-4', 'b-6')`));
    const r = await same();
    expect(r.ok).toBe(false);
    const zoneB = r.zones.find((z) => z.zoneId === 'zone-b')!;
    expect(zoneB.unchainedRows).toBe(2);
    expect(zoneB.firstBreak).toMatchObject({ id: 'b-4', chainSeq: 'NULL', kind: 'missing_chain' });
    expect(r.zones.filter((z) => z.zoneId !== 'zone-b').every((z) => z.unchainedRows === 0 && z.firstBreak === null)).toBe(true);
  });

  it('on values COPY must escape, quotes and backslashes in ids, and times at and before 1970', async () => {
    const odd = 'tab\there, new\nline, cr\r, \\ back\\slash, \b\f\v, unit\x1fsep, \\N, naïve €';
    const zone = `zo'ne\\x`;
    const events = [
      { id: `q'1\\`, zone_id: zone, request_id: odd, decision: '\\N', occurred_at: '1970-01-01T00:00:00Z' },
      {
        id: `q'2\\`,
        zone_id: zone,
        manifest_sha: '',
        metadata_json: JSON.stringify({ s: odd }),
        occurred_at: '1969-12-31T23:59:59.999999Z',
      },
      { id: `q'3\\`, zone_id: zone, evaluation_status: 'x\ty', occurred_at: '2026-02-02T00:00:00.000001Z' },
    ];
    for (const e of events) await insertEvent(db, e, TEST_KEY_HEX);
    const r = await same();
    expect(r.ok).toBe(true);
    expect(r.zones.find((z) => z.zoneId === zone)).toMatchObject({ rowsChecked: 3, firstBreak: null });
    await sql(set(`request_id = request_id || 'x'`, 'id = $1'), [`q'1\\`]);
    const tampered = (await same()).zones.find((z) => z.zoneId === zone);
    expect(tampered?.firstBreak).toMatchObject({ id: `q'1\\`, kinds: ['content_mismatch'] });
    // A forged row sharing a chain_seq: the zone is read again on its own, its id bound as a parameter.
    await sql(
      `INSERT INTO public.audit_events (id, zone_id, event_type, occurred_at, content_sha256, prev_content_sha256, chain_seq)
      SELECT id || '-', zone_id, event_type, occurred_at, content_sha256, prev_content_sha256, chain_seq FROM public.audit_events WHERE id = $1`,
      [`q'2\\`],
    );
    const forged = (await same()).zones.find((z) => z.zoneId === zone);
    expect(forged).toMatchObject({
      rowsChecked: 4,
      brokenRows: 2,
      kindsSeen: ['content_mismatch', 'broken_link', 'hmac_mismatch', 'seq_gap'],
    });
  });
});

describe('pgCopyClient', () => {
  it('reports a refused connection as the target does, and stops when aborted', async () => {
    const url = `postgres://postgres@127.0.0.1:${await closedPort()}/x`;
    const refused = pgCopyClient({ url, statementTimeoutMs: 1000 });
    const err = await refused.copyOut('COPY (SELECT 1) TO STDOUT', () => undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetError);
    expect((err as TargetError).message).toBe('Postgres: connection refused');
    await refused.end();
    const signal = AbortSignal.abort(new Error('deadline'));
    await expect(verifyAuditChains(reader, { signal })).rejects.toThrow('deadline');
  });
});
