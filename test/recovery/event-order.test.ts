// A run's events must commit in id order: the dispatcher posts whatever has committed, so an append that overtook a
// transition still in flight would put its thread entry before the transition's (found by the multi-replica soak).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecoveryService } from '../../src/recovery/service.ts';
import type { Db } from '../../src/store/db.ts';
import { listEvents } from '../../src/store/events.ts';
import { createTempDatabase, type TempDatabase } from '../helpers/pg.ts';
import { postgresDb } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';

/**
 * Resolves once a session waits on a lock held by backend `holder` (pg_blocking_pids: blocked by that transaction, not
 * by anything else), polling pg_stat_activity; rejects as soon as `competitor` settles without having been seen
 * waiting, and after 20 s of never seeing it wait.
 */
async function blockedBy(temp: TempDatabase, holder: number, competitor: Promise<unknown>): Promise<void> {
  let settled = false;
  const done = competitor.then(
    () => void (settled = true),
    () => void (settled = true),
  );
  for (const end = Date.now() + 20_000; Date.now() < end;) {
    const { rows } = await temp.exec(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND $1::int = ANY(pg_blocking_pids(pid))`,
      [holder],
    );
    if ((rows[0] as { n: number }).n > 0) return;
    if (settled) throw new Error('the note finished while the transition was still in flight: it never waited for the run lock');
    await Promise.race([done, new Promise((r) => setTimeout(r, 20))]);
  }
  throw new Error('the note never waited for the run lock');
}

describe('event order within a run', () => {
  let temp: TempDatabase;
  let db: Db;
  beforeAll(async () => {
    temp = await createTempDatabase('order');
    db = postgresDb(temp.url);
    await migrate(db);
  });
  afterAll(async () => {
    await db.close();
    await temp.drop();
  });

  it('a note waits for a transition of the same run still in flight, so its event commits after it', async () => {
    const service = createRecoveryService({
      startPolicy: { who: 'anyone', drillChannels: [] },
      db,
      policy: {
        freshnessMs: 60_000,
        approvalsRequired: { freeze: 1, storage: 1, services: 1, evidence: 1, safety: 1, resume: 2 },
        requiredChecks: () => [],
      },
      isApprover: () => Promise.resolve(true),
      now: () => new Date(),
      newId: () => `run${Date.now().toString(36)}`,
    });
    const started = await service.startRun({ channelId: 'C-ORDER', title: 't', userId: 'U1' });
    const runId = started.ok ? started.run.id : '';

    // Another replica's transition: the run's version bumped and its event appended, not committed yet.
    const other = new pg.Client({ connectionString: temp.url });
    await other.connect();
    let inFlight: number;
    let note: ReturnType<typeof service.addEvent>;
    try {
      await other.query('BEGIN');
      await other.query('UPDATE runs SET version = version + 1 WHERE id = $1', [runId]);
      inFlight = Number(
        (
          await other.query<{ id: string }>(
            `INSERT INTO events (run_id, at, actor, type, gate) VALUES ($1, now(), 'U2', 'gate_claimed', 'freeze') RETURNING id`,
            [runId],
          )
        ).rows[0].id,
      );
      const holder = (await other.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;

      note = service.addEvent('C-ORDER', 'U3', 'note', { text: 'meanwhile' });
      // The awaited event: the note's transaction is observed blocked by the in-flight transition (not a guessed time).
      await blockedBy(temp, holder, note);
      // Nothing of the note may be visible while the earlier transition can still commit before it.
      expect((await listEvents(db, runId)).map((e) => e.type)).toEqual(['run_started']);
      await other.query('COMMIT');
    } finally {
      await other.end();
    }
    expect((await note).ok).toBe(true);
    const events = await listEvents(db, runId);
    expect(events.map((e) => e.type)).toEqual(['run_started', 'gate_claimed', 'note']);
    expect(events[2].id).toBeGreaterThan(inFlight);
  });
});
