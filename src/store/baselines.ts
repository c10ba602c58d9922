// Check baselines (cumulative Caracal counters) in the state database, shared by every replica.
import type { BaselineStore } from '../checks/types.ts';
import type { Queryable } from './db.ts';

export function dbBaselines(q: Queryable): BaselineStore {
  return {
    async get(key) {
      const [row] = (await q.query<{ value: number; at: Date }>('SELECT value, at FROM baselines WHERE key = $1', [key])).rows;
      return row ? { value: Number(row.value), at: new Date(row.at) } : undefined;
    },
    async set(key, value, at) {
      await q.query(
        'INSERT INTO baselines (key, value, at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, at = EXCLUDED.at',
        [key, value, at],
      );
    },
  };
}
