// The gate list lives once in src/domain/gates.ts; the state database's check constraint must name the same gates in
// the same order, or a run could hold a gate the database refuses (or the other way round).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATES } from '../../src/domain/gates.ts';
import type { Db } from '../../src/store/db.ts';
import { testStateDb } from '../helpers/state.ts';

let state: { db: Db; drop: () => Promise<void> };
beforeAll(async () => {
  state = await testStateDb();
});
afterAll(async () => {
  await state.drop();
});

describe('the gate list', () => {
  it('is the list of the gates table check constraint, in order', async () => {
    const { rows } = await state.db.query<{ def: string }>(
      `SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
       WHERE c.conrelid = 'gates'::regclass AND c.contype = 'c' AND pg_get_constraintdef(c.oid) LIKE '%(gate %'`,
    );
    expect(rows).toHaveLength(1);
    const named = [...rows[0].def.matchAll(/'([a-z_]+)'::text/g)].map((m) => m[1]);
    expect(named).toEqual([...GATES]);
  });
});
