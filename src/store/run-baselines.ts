// The residue baseline recorded with each recovery run (migration 0009). The JSON is validated on the way out:
// a row that does not parse (an older shape) counts as no baseline rather than a wrong one.
import { residueBaselineSchema, type ResidueBaseline } from '../checks/residue/baseline.ts';
import type { Queryable } from './db.ts';

export async function insertRunBaseline(q: Queryable, runId: string, baseline: ResidueBaseline): Promise<void> {
  await q.query('INSERT INTO run_baselines (run_id, taken_at, baseline) VALUES ($1, $2, $3::jsonb)', [
    runId,
    baseline.takenAt,
    JSON.stringify(baseline),
  ]);
}

export async function loadRunBaseline(q: Queryable, runId: string): Promise<ResidueBaseline | undefined> {
  const [row] = (await q.query<{ baseline: unknown }>('SELECT baseline FROM run_baselines WHERE run_id = $1', [runId])).rows;
  const parsed = row ? residueBaselineSchema.safeParse(row.baseline) : undefined;
  return parsed?.success ? parsed.data : undefined;
}
