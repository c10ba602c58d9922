// A message is marked "post pending" in its own row before it is posted, and unmarked once its ts is saved: a mark
// found on the next attempt means an earlier one may have reached Slack unrecorded (the replica died between Slack's
// answer and its commit), so the message is looked for (readback.ts) before it is posted again.
import type { Queryable } from '../store/db.ts';

/** Where each kind of message keeps its mark: a closed list, so the SQL below is built from constants only. */
const MARKS = {
  dashboard: { table: 'runs', column: 'dashboard_pending', key: 'id' },
  alertGroup: { table: 'alert_groups', column: 'post_pending', key: 'group_key' },
} as const;
export type PendingMessage = keyof typeof MARKS;

/** Mark it (locking the row); true when it was marked already: an earlier attempt may have posted it. */
export async function markPostPending(q: Queryable, message: PendingMessage, id: string): Promise<boolean> {
  const { table, column, key } = MARKS[message];
  const [row] = (
    await q.query<{ pending: boolean }>(
      `WITH old AS (SELECT ${column} FROM ${table} WHERE ${key} = $1 FOR UPDATE)
       UPDATE ${table} SET ${column} = true FROM old WHERE ${table}.${key} = $1 RETURNING old.${column} AS pending`,
      [id],
    )
  ).rows;
  return row?.pending === true;
}

/** Its ts is saved, or the message it would find is gone: nothing to look for next time. */
export async function clearPostPending(q: Queryable, message: PendingMessage, id: string): Promise<void> {
  const { table, column, key } = MARKS[message];
  await q.query(`UPDATE ${table} SET ${column} = false WHERE ${key} = $1`, [id]);
}
