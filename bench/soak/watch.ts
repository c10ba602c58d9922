// Follows the events table so a simulated person can wait for the outcome of a click before the next one:
// clicks of one person then never overlap, and afterwards every event can be matched to the click that caused it.
import type pg from 'pg';

export interface EventWatch {
  /** Whether `actor` has an event recorded at or after `sinceMs`. */
  hasEventSince(actor: string, sinceMs: number): boolean;
  stop(): Promise<void>;
}

export function watchEvents(pool: pg.Pool, pollMs = 25): EventWatch {
  const latest = new Map<string, number>();
  let maxId = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      // Transactions commit out of id order: look back a little so a late commit is still seen.
      const rows = await pool
        .query<{ id: string; actor: string; at: Date }>('SELECT id, actor, at FROM events WHERE id > $1 ORDER BY id', [
          Math.max(0, maxId - 200),
        ])
        .then(
          (r) => r.rows,
          () => [],
        );
      for (const r of rows) {
        maxId = Math.max(maxId, Number(r.id));
        latest.set(r.actor, Math.max(latest.get(r.actor) ?? 0, r.at.getTime()));
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  })();
  return {
    hasEventSince: (actor, sinceMs) => (latest.get(actor) ?? 0) >= sinceMs,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/** Polls `done` until it holds or `timeoutMs` passes; says which. */
export async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}
