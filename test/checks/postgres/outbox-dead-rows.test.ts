// The rows an outbox check counts as dead are the rows its remediation acts on: both read them through
// outbox-dead-rows.ts, among rows of every other state (pending, published or dispatched, another producer).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxApi } from '../../../src/checks/postgres/outbox-api.ts';
import { outboxCoordinator } from '../../../src/checks/postgres/outbox-coordinator.ts';
import { apiOutboxBreakGlass } from '../../../src/remediation/break-glass.ts';
import { coordinatorRequeue } from '../../../src/remediation/coordinator-requeue.ts';
import { loadCaracalSchema } from '../../fixtures/caracal-db.ts';
import { buildContext, runOne, type TestContext } from '../../helpers/check-context.ts';
import { createTempDatabase, type TempDatabase } from '../../helpers/pg.ts';

const ZONE = '11111111-1111-4111-8111-111111111111';

describe('dead outbox rows: one definition for the checks and the remediations', () => {
  let db: TempDatabase;
  let t: TestContext;
  beforeAll(async () => {
    db = await createTempDatabase('deadrows');
    await loadCaracalSchema(db);
    await db.exec(`
      INSERT INTO caracal_outbox (id, producer, topic, dedupe_key, payload_json, status, attempts) VALUES
        ('0190a000-0000-7000-8000-000000000001', 'coordinator', 't', 'k1', '{"zone_id":"${ZONE}"}', 'dead', 10),
        ('0190a000-0000-7000-8000-000000000002', 'coordinator', 't', 'k2', '{}', 'dead', 10),
        ('0190a000-0000-7000-8000-000000000003', 'coordinator', 't', 'k3', '{}', 'pending', 1),
        ('0190a000-0000-7000-8000-000000000004', 'coordinator', 't', 'k4', '{}', 'published', 1),
        ('0190a000-0000-7000-8000-000000000005', 'api', 't', 'k5', '{}', 'dead', 10);
      INSERT INTO event_outbox (id, stream_name, payload_json, attempts, available_at, dispatched_at) VALUES
        ('dead-1', 's', '{}', 100, 'infinity', NULL),
        ('dead-2', 's', '{}', 100, 'infinity', NULL),
        ('dead-3', 's', '{}', 100, 'infinity', NULL),
        ('pending-1', 's', '{}', 1, now(), NULL),
        ('dispatched-1', 's', '{}', 1, 'infinity', now());`);
    // No Coordinator URL answers: the requeue's lines still name every row it would call for.
    t = buildContext({ caracal: { postgres: { url: db.url }, services: { coordinator: ['http://127.0.0.1:9'] } } });
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  it('caracal_outbox: the check counts the rows the requeue goes through', async () => {
    const checked = await runOne(outboxCoordinator, t.ctx);
    const requeued = await coordinatorRequeue.run(t.ctx, new AbortController().signal);
    expect(checked.metrics?.dead).toBe(2);
    expect(requeued.lines).toHaveLength(2);
  });

  it('event_outbox: the check counts the rows the break-glass SQL resets', async () => {
    const checked = await runOne(outboxApi, t.ctx);
    const reset = await apiOutboxBreakGlass.run(t.ctx, new AbortController().signal);
    expect(checked.metrics?.dead).toBe(3);
    expect(reset.summary).toMatch(/^3 dead event_outbox row\(s\)/);
    expect(reset.lines.join(' ').match(/[a-z]+-\d/g)).toEqual(['dead-1', 'dead-2', 'dead-3']);
  });
});
