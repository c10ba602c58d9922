// The test vectors are what the verifier tests claim: two monthly partitions, jsonb-normalised JSON text,
// NULL JSON, and exact microseconds as the verifier selects them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCaracalSchema } from '../fixtures/caracal-db.ts';
import { createTempDatabase, type TempDatabase } from '../helpers/pg.ts';
import { TEST_KEY_HEX } from './caracal-writer.ts';
import { insertVectors, SCHEMA_NOW } from './vectors.ts';

let db: TempDatabase;
const sql = (text: string) => db.exec(text);

beforeAll(async () => {
  db = await createTempDatabase('auditx');
  await loadCaracalSchema(db, SCHEMA_NOW);
  await insertVectors(db, TEST_KEY_HEX);
});
afterAll(async () => {
  await db.drop();
});

describe('the vectors', () => {
  it('span two monthly partitions and store normalised jsonb text and microseconds', async () => {
    const parts = await sql('SELECT tableoid::regclass::text AS p, count(*)::int AS n FROM public.audit_events GROUP BY 1 ORDER BY 1');
    expect(parts.rows).toEqual([
      { p: 'audit_events_y2026m01', n: 18 },
      { p: 'audit_events_y2026m02', n: 18 },
    ]);
    const a1 = (
      await sql(`SELECT determining_policies_json::text AS d, diagnostics_json::text AS g,
      (extract(epoch FROM occurred_at) * 1000000)::bigint::text AS us FROM public.audit_events WHERE id = 'a-1'`)
    ).rows[0];
    expect(a1.d).toBe('{"a": 2, "b": 1}');
    expect(a1.g).toBe('{"n": 1.50, "reason": "ok 1 é"}');
    // 2026-01-21T12:00:00Z is 1768478400 (the 15th, see chain.test.ts) + 6 days = 1768996800 s.
    expect(a1.us).toBe('1768996800123451');
    // Producer nanoseconds (.000007987) truncated like Go, not rounded like Postgres would (…008).
    // 2026-02-07T08:30:15Z = 1769904000 (Feb 1) + 6 days + 30615 s = 1770453015 s.
    const a7 = (
      await sql(`SELECT (extract(epoch FROM occurred_at) * 1000000)::bigint::text AS us
      FROM public.audit_events WHERE id = 'a-7'`)
    ).rows[0];
    expect(a7.us).toBe('1770453015000007');
    const a2 = (await sql(`SELECT diagnostics_json IS NULL AS g FROM public.audit_events WHERE id = 'a-2'`)).rows[0];
    expect(a2.g).toBe(true);
  });
});
