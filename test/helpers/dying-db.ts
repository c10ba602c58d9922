// A state database as a SIGKILLed replica leaves it: at the first statement `diesAt` matches, and for every later
// one, nothing is written and nothing answers (no lease released, no ts saved).
import type { Db, Queryable } from '../../src/store/db.ts';

/** A database that dies (every later statement fails, as in a killed process) at the first statement `diesAt` matches. */
export function dyingDb(db: Db, diesAt: (sql: string) => boolean): Db & { died(): boolean } {
  let dead = false;
  const check = (sql: string): void => {
    if (!dead && diesAt(sql)) dead = true;
    if (dead) throw new Error('the replica was killed');
  };
  const wrap = (q: Queryable): Queryable => ({
    query: async (sql, params) => {
      check(sql);
      return q.query(sql, params);
    },
    exec: (sql) => (dead ? Promise.reject(new Error('the replica was killed')) : q.exec(sql)),
  });
  return {
    kind: db.kind,
    ...wrap(db),
    transaction: (fn) => (dead ? Promise.reject(new Error('the replica was killed')) : db.transaction((tx) => fn(wrap(tx)))),
    snapshot: (fn) => (dead ? Promise.reject(new Error('the replica was killed')) : db.snapshot((tx) => fn(wrap(tx)))),
    forAcks: wrap(db.forAcks),
    close: () => Promise.resolve(),
    died: () => dead,
  };
}
