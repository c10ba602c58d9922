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

/** Resolves once a session in this database waits on a lock; fails after 20 s of never seeing one. */
async function waitForLockWaiter(temp: TempDatabase): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const { rows } = await temp.exec(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if ((rows[0] as { n: number }).n > 0) return;
    await new Promise((r) => setTimeout(r, 50));
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
    const service = createRecoveryService({ startPolicy: { who: 'anyone', drillChannels: [] },
      db, policy: { freshnessMs: 60_000, approvalsRequired: { freeze: 1, storage: 1, services: 1, evidence: 1, safety: 1, resume: 2 }, requiredChecks: () => [] },
      isApprover: () => Promise.resolve(true), now: () => new Date(), newId: () => `run${Date.now().toString(36)}`,
    });
    const started = await service.startRun({ channelId: 'C-ORDER', title: 't', userId: 'U1' });
    const runId = started.ok ? started.run.id : '';

    // Another replica's transition: the run's version bumped and its event appended, not committed yet.
    const other = new pg.Client({ connectionString: temp.url });
    await other.connect();
    await other.query('BEGIN');
    await other.query('UPDATE runs SET version = version + 1 WHERE id = $1', [runId]);
    const inFlight = Number((await other.query<{ id: string }>(
      `INSERT INTO events (run_id, at, actor, type, gate) VALUES ($1, now(), 'U2', 'gate_claimed', 'freeze') RETURNING id`, [runId],
    )).rows[0].id);

    const note = service.addEvent('C-ORDER', 'U3', 'note', { text: 'meanwhile' });
    // Wait until the note's transaction is observably blocked on the run's lock (not for an arbitrary time).
    await waitForLockWaiter(temp);
    // Nothing of the note may be visible while the earlier transition can still commit before it.
    expect((await listEvents(db, runId)).map((e) => e.type)).toEqual(['run_started']);

    await other.query('COMMIT');
    await other.end();
    expect((await note).ok).toBe(true);
    const events = await listEvents(db, runId);
    expect(events.map((e) => e.type)).toEqual(['run_started', 'gate_claimed', 'note']);
    expect(events[2].id).toBeGreaterThan(inFlight);
  });
});
