import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { outboxCoordinator } from '../../../src/checks/postgres/outbox-coordinator.ts';
import { buildContext, runOne, type TestContext } from '../../helpers/check-context.ts';
import { createTempDatabase, type TempDatabase } from '../../helpers/pg.ts';
import { loadCaracalSchema } from '../../fixtures/caracal-db.ts';

const ZONE = '0190a1b2-0000-7000-8000-00000000a0a0';

interface Row {
  id: string;
  status: 'pending' | 'published' | 'dead';
  ageSeconds?: number;
  producer?: 'api' | 'coordinator';
  zoneId?: string | null;
}

async function insertRow(db: TempDatabase, row: Row): Promise<void> {
  const payload = row.zoneId === null ? { agent_id: 'a1' } : { zone_id: row.zoneId ?? ZONE, agent_id: 'a1' };
  await db.exec(
    `INSERT INTO public.caracal_outbox (id, producer, topic, dedupe_key, payload_json, status, attempts, created_at)
     VALUES ($1, $2, 'caracal.agents.lifecycle', $1, $3, $4, $5, now() - make_interval(secs => $6))`,
    [row.id, row.producer ?? 'coordinator', JSON.stringify(payload), row.status, row.status === 'dead' ? 10 : 0, row.ageSeconds ?? 1],
  );
}

describe('outbox.coordinator', () => {
  let db: TempDatabase;
  let t: TestContext;

  beforeAll(async () => {
    db = await createTempDatabase('obcoord');
    await loadCaracalSchema(db);
    t = buildContext({ caracal: { postgres: { url: db.url } } });
  });
  beforeEach(async () => {
    await db.exec('DELETE FROM public.caracal_outbox');
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  it('passes on an empty outbox', async () => {
    const result = await runOne(outboxCoordinator, t.ctx);
    expect(result.status).toBe('pass');
    expect(result.metrics).toEqual({ pending: 0, published: 0, dead: 0, oldestPendingSeconds: 0 });
  });

  it("passes while draining, counting only producer 'coordinator' rows", async () => {
    await insertRow(db, { id: 'p1', status: 'pending', ageSeconds: 10 });
    await insertRow(db, { id: 'pub1', status: 'published', ageSeconds: 5000 });
    await insertRow(db, { id: 'pub2', status: 'published' });
    await insertRow(db, { id: 'api-dead', status: 'dead', producer: 'api' });
    await insertRow(db, { id: 'api-old', status: 'pending', producer: 'api', ageSeconds: 5000 });
    const result = await runOne(outboxCoordinator, t.ctx);
    expect(result.status).toBe('pass');
    expect(result.metrics).toMatchObject({ pending: 1, published: 2, dead: 0 });
    expect(result.metrics.oldestPendingSeconds as number).toBeGreaterThanOrEqual(10);
    expect(result.metrics.oldestPendingSeconds as number).toBeLessThan(60);
  });

  it('fails when the oldest pending row is 400 s old', async () => {
    await insertRow(db, { id: 'p-old', status: 'pending', ageSeconds: 400 });
    const result = await runOne(outboxCoordinator, t.ctx);
    expect(result.status).toBe('fail');
    expect(result.summary).toMatch(/^caracal_outbox is not draining: the oldest of 1 pending rows is 40\d s old/);
    expect(result.metrics.oldestPendingSeconds as number).toBeGreaterThanOrEqual(400);
    expect(result.matrix).toEqual(['postgres', 'coordinator']);
  });

  it('fails on a dead row, with its zone and the requeue call for it', async () => {
    const id = '0190a1b2-0000-7000-8000-0000000000d1';
    await insertRow(db, { id, status: 'dead' });
    const result = await runOne(outboxCoordinator, t.ctx);
    expect(result.status).toBe('fail');
    expect(result.metrics.dead).toBe(1);
    expect(result.summary).toContain('1 dead row in caracal_outbox');
    expect(result.summary).toContain('outbox_dead');
    expect(result.evidence).toContain(
      `dead: id=${id} topic=caracal.agents.lifecycle zone_id=${ZONE} attempts=10 ` + `-> POST /zones/${ZONE}/outbox/${id}/requeue`,
    );
    expect(result.remedy).toContain('POST /zones/{zoneId}/outbox/{id}/requeue');
    expect(result.remedy).toContain('one row at a time');
    expect(result.remedy).toContain('CARACAL_COORDINATOR_TOKEN');
    expect(result.matrix).toEqual(['postgres', 'coordinator']);
  });

  it('says when a dead row has no zone the requeue endpoint could match', async () => {
    await insertRow(db, { id: 'no-zone', status: 'dead', zoneId: null });
    const result = await runOne(outboxCoordinator, t.ctx);
    expect(result.status).toBe('fail');
    expect(result.evidence.find((e) => e.includes('id=no-zone'))).toContain('zone_id=(none)');
    expect(result.evidence.find((e) => e.includes('id=no-zone'))).toContain('requeue endpoint cannot reach this row');
  });

  it('lists at most 10 dead rows, oldest first', async () => {
    for (let i = 0; i < 13; i++) {
      await insertRow(db, { id: `dead-${String(i).padStart(2, '0')}`, status: 'dead', ageSeconds: 100 - i });
    }
    const result = await runOne(outboxCoordinator, t.ctx);
    const listed = result.evidence.filter((e) => e.startsWith('dead: '));
    expect(result.metrics.dead).toBe(13);
    expect(listed).toHaveLength(10);
    expect(listed[0]).toContain('id=dead-00');
    expect(result.evidence).toContain('(3 more dead rows not shown)');
  });

  it('fails with a clear summary when caracal_outbox is missing', async () => {
    await db.exec('ALTER TABLE public.caracal_outbox RENAME TO caracal_outbox_gone');
    try {
      const result = await runOne(outboxCoordinator, t.ctx);
      expect(result.status).toBe('fail');
      expect(result.summary).toBe('public.caracal_outbox does not exist, so the Coordinator outbox cannot be checked.');
    } finally {
      await db.exec('ALTER TABLE public.caracal_outbox_gone RENAME TO caracal_outbox');
    }
  });
});
