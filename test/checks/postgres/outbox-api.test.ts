import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { outboxApi } from '../../../src/checks/postgres/outbox-api.ts';
import { buildContext, runOne, type TestContext } from '../../helpers/check-context.ts';
import { createTempDatabase, type TempDatabase } from '../../helpers/pg.ts';
import { loadCaracalSchema } from '../../fixtures/caracal-db.ts';

/** Insert an event_outbox row created `ageSeconds` ago (by Postgres's clock). */
async function insertRow(db: TempDatabase, id: string, ageSeconds: number, state: 'pending' | 'dead' | 'dispatched'): Promise<void> {
  await db.exec(
    `INSERT INTO public.event_outbox (id, stream_name, payload_json, attempts, available_at, last_error,
       dispatched_at, created_at)
     VALUES ($1, 'caracal.audit.events', '{"zone_id":"z1"}', $2,
       CASE WHEN $3 = 'dead' THEN 'infinity'::timestamptz ELSE now() END,
       CASE WHEN $3 = 'dead' THEN 'XADD: connect ECONNREFUSED 10.0.0.7:6379' END,
       CASE WHEN $3 = 'dispatched' THEN now() END,
       now() - make_interval(secs => $4))`,
    [id, state === 'dead' ? 100 : 1, state, ageSeconds],
  );
}

describe('outbox.api', () => {
  let db: TempDatabase;
  let t: TestContext;

  beforeAll(async () => {
    db = await createTempDatabase('obapi');
    await loadCaracalSchema(db);
    t = buildContext({ caracal: { postgres: { url: db.url } } });
  });
  beforeEach(async () => {
    await db.exec('DELETE FROM public.event_outbox');
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  it('passes on an empty outbox', async () => {
    const result = await runOne(outboxApi, t.ctx);
    expect(result.status).toBe('pass');
    expect(result.summary).toBe('event_outbox is drained, with no dead rows.');
    expect(result.metrics).toEqual({ pending: 0, dead: 0, oldestPendingSeconds: 0 });
  });

  it('passes while young rows drain, ignoring old dispatched rows', async () => {
    await insertRow(db, 'p1', 20, 'pending');
    await insertRow(db, 'd1', 86_400, 'dispatched');
    const result = await runOne(outboxApi, t.ctx);
    expect(result.status).toBe('pass');
    expect(result.metrics.pending).toBe(1);
    expect(result.metrics.dead).toBe(0);
    expect(result.metrics.oldestPendingSeconds as number).toBeGreaterThanOrEqual(20);
    expect(result.metrics.oldestPendingSeconds as number).toBeLessThan(60);
  });

  it('fails when the oldest pending row is 400 s old', async () => {
    await insertRow(db, 'p-old', 400, 'pending');
    await insertRow(db, 'p-new', 5, 'pending');
    const result = await runOne(outboxApi, t.ctx);
    expect(result.status).toBe('fail');
    expect(result.summary).toMatch(/^event_outbox is not draining: the oldest of 2 pending rows is 40\d s old \(limit 300 s\)\.$/);
    expect(result.metrics.oldestPendingSeconds as number).toBeGreaterThanOrEqual(400);
    expect(result.matrix).toEqual(['postgres']);
  });

  it('uses the configured age threshold', async () => {
    await insertRow(db, 'p-old', 400, 'pending');
    const relaxed = buildContext({
      caracal: { postgres: { url: db.url } },
      thresholds: { outboxPendingAgeSeconds: 900 },
    });
    try {
      expect((await runOne(outboxApi, relaxed.ctx)).status).toBe('pass');
    } finally {
      await relaxed.close();
    }
  });

  it('fails on a dead row and gives the exact break-glass UPDATE for it', async () => {
    await insertRow(db, '0190a1b2-dead-7000-8000-000000000001', 7200, 'dead');
    await insertRow(db, 'p1', 3, 'pending');
    const result = await runOne(outboxApi, t.ctx);
    expect(result.status).toBe('fail');
    expect(result.metrics).toMatchObject({ pending: 1, dead: 1 });
    expect(result.summary).toContain('1 dead row in event_outbox');
    expect(result.evidence).toContain(
      'dead: id=0190a1b2-dead-7000-8000-000000000001 stream=caracal.audit.events attempts=100 ' +
        'last_error=XADD: connect ECONNREFUSED 10.0.0.7:6379',
    );
    expect(result.remedy).toContain('no requeue endpoint');
    expect(result.remedy).toContain(
      'UPDATE public.event_outbox SET available_at = now(), attempts = 0, last_error = NULL ' +
        "WHERE id IN ('0190a1b2-dead-7000-8000-000000000001') AND dispatched_at IS NULL AND available_at = 'infinity' RETURNING id;",
    );
    // One transaction, with the row count to expect before committing.
    expect(result.remedy).toContain('BEGIN; -- resets 1 dead event_outbox row(s) in 1 statement(s)');
    expect(result.remedy).toContain('COMMIT; -- only if the statements returned 1 row(s) in total');
    expect(result.remedy).toContain('The bot never writes Caracal tables');
  });

  it('lists at most 10 dead ids, quoted safely, and says how many were left out', async () => {
    await insertRow(db, "it's-0", 1000, 'dead');
    for (let i = 1; i < 12; i++) await insertRow(db, `dead-${String(i).padStart(2, '0')}`, 1000 - i, 'dead');
    const result = await runOne(outboxApi, t.ctx);
    expect(result.status).toBe('fail');
    expect(result.metrics.dead).toBe(12);
    expect(result.evidence.filter((e) => e.startsWith('dead: '))).toHaveLength(10);
    expect(result.evidence).toContain('(2 more dead rows not shown)');
    const inList = /WHERE id IN \(([^)]*)\)/.exec(result.remedy ?? '')?.[1] ?? '';
    expect(inList.split(', ')).toHaveLength(10);
    expect(inList.startsWith("E'it''s-0', E'dead-01'")).toBe(true);
    expect(inList).not.toContain('dead-10');
    expect(result.remedy).toContain("these are the oldest 10; the Evidence gate's break-glass action lists all");
  });

  it('fails with a clear summary when event_outbox is missing', async () => {
    await db.exec('ALTER TABLE public.event_outbox RENAME TO event_outbox_gone');
    try {
      const result = await runOne(outboxApi, t.ctx);
      expect(result.status).toBe('fail');
      expect(result.summary).toBe('public.event_outbox does not exist, so the API outbox cannot be checked.');
    } finally {
      await db.exec('ALTER TABLE public.event_outbox_gone RENAME TO event_outbox');
    }
  });
});
