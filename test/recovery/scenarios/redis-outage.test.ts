// Scenario (a) of issue 12: Redis down long enough that Coordinator and API outbox rows die (10 and 100 attempts,
// caracal-ops.md §15.1.2; the simulated clock is compressed), then back. The run reaches Resume with no override,
// recovered with the bot's own buttons: the requeue and the dead-row reset are offered at Services, where
// Coordinator and API /ready fail with outbox_dead / outbox_dead_messages.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listEvents } from '../../../src/store/events.ts';
import { loadRun } from '../../../src/store/runs.ts';
import { SANDBOX_ZONE } from '../../../src/sandbox/caracal/index.ts';
import { Run, startScenario, until, type Scenario } from './drive.ts';

describe('scenario (a): a Redis outage that kills outbox rows, recovered to Resume without an override', () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario();
  }, 360_000);
  afterAll(async () => {
    await s?.close();
  });

  it("walks every gate with the bot's buttons", async () => {
    const { caracal } = s.sandbox;
    const run = await Run.start(s, 'Redis outage');
    await run.freeze();

    await caracal.faults.inject('redis_outage');
    // The services keep enqueueing while Redis is gone: one row each, as the Coordinator and the API would.
    const db = new pg.Client({ connectionString: caracal.file.caracal.postgres.url });
    await db.connect();
    const zone = SANDBOX_ZONE;
    await db.query(
      `INSERT INTO public.caracal_outbox (id, producer, topic, dedupe_key, payload_json, status, attempts, created_at)
      VALUES ($1, 'coordinator', 'caracal.agents.lifecycle', $2, $3::jsonb, 'pending', 0, now())`,
      [randomUUID(), `scenario:${randomUUID()}`, JSON.stringify({ zone_id: zone })],
    );
    await db.query(
      `INSERT INTO public.event_outbox (id, stream_name, payload_json, attempts, created_at)
      VALUES ($1, 'caracal.sessions.revoke', $2::jsonb, 0, now())`,
      [randomUUID(), JSON.stringify({ zone_id: zone, session_id: randomUUID() })],
    );
    // Compressed time: a minute per dispatcher pass, until both rows are dead (10 and 100 failed attempts).
    const dead = async () =>
      (
        await db.query<{ n: string }>(`SELECT
      (SELECT count(*) FROM public.caracal_outbox WHERE status = 'dead') + (SELECT count(*) FROM public.event_outbox WHERE available_at = 'infinity') AS n`)
      ).rows[0].n;
    for (let i = 0; i < 120 && Number(await dead()) < 2; i++) {
      s.advance(61_000);
      await caracal.faults.sync();
    }
    expect(Number(await dead())).toBe(2);
    await db.end();

    const storageDown = await run.runChecks('storage');
    expect(storageDown.get('redis.reachable')?.status).toBe('fail');
    await caracal.faults.clear('redis_outage');
    await caracal.faults.sync();
    const storage = await run.runChecks('storage');
    expect([...storage].filter(([, c]) => c.status !== 'pass').map(([id, c]) => `${id}: ${c.summary}`)).toEqual([]);
    await run.confirm('storage');

    // Services: Redis is back, but the dead rows keep Coordinator and API /ready at 503 (§15.1.2).
    const services = await run.runChecks('services');
    expect(services.get('services.ready')?.findings).toEqual(expect.arrayContaining(['outbox_dead', 'outbox_dead_messages']));
    expect(await run.remedyButton('coordinator.requeue')).toBeDefined();
    expect(await run.remedyButton('api.outbox_reset')).toBeDefined();
    const requeued = await run.remediate('coordinator.requeue');
    expect(requeued).toMatch(/Succeeded.*Requeued 1 of 1/s);
    await run.breakGlass('api.outbox_reset', caracal.file.caracal.postgres.url);
    await caracal.faults.sync();
    const servicesAgain = await run.runChecks('services');
    expect([...servicesAgain].filter(([, c]) => c.status !== 'pass').map(([id, c]) => `${id}: ${c.summary}`)).toEqual([]);
    await run.confirm('services');

    for (const gate of ['evidence', 'safety'] as const) {
      await caracal.faults.sync();
      if (gate === 'safety') await run.verifyChain();
      const results = await run.runChecks(gate);
      expect(
        [...results].filter(([, c]) => c.status !== 'pass').map(([id, c]) => `${id}: ${c.summary}`),
        gate,
      ).toEqual([]);
      await run.confirm(gate);
    }
    const resume = await run.runChecks('resume');
    expect([...resume].filter(([, c]) => c.status !== 'pass').map(([id, c]) => `${id}: ${c.summary}`)).toEqual([]);
    await run.unfreeze();
    await run.confirm('resume', 'U0ALICE');
    await run.confirm('resume', 'U0BOB');

    const done = (await loadRun(s.sandbox.db, run.runId))!;
    expect(done.status).toBe('resumed');
    expect(done.gates.map((g) => g.status)).toEqual(['confirmed', 'confirmed', 'confirmed', 'confirmed', 'confirmed', 'confirmed']);
    const events = await listEvents(s.sandbox.db, run.runId);
    expect(events.filter((e) => e.type.startsWith('override'))).toEqual([]);
    // The timeline: each gate confirmed in order, each remediation with its answer, at Services.
    expect(events.filter((e) => e.type === 'gate_confirmed').map((e) => e.gate)).toEqual([
      'freeze',
      'storage',
      'services',
      'evidence',
      'safety',
      'resume',
    ]);
    const finished = events.find((e) => e.type === 'action_finished');
    expect(finished).toMatchObject({ gate: 'services', data: { action: 'coordinator.requeue', result: 'success' } });
    expect(events.find((e) => e.type === 'action_run')).toMatchObject({
      gate: 'services',
      data: { action: 'api.outbox_reset', breakGlass: true },
    });
    expect(events.at(-1)?.type).toBe('run_resumed');
    const thread = await until(() => (run.thread().includes('Requeued 1 of 1') ? run.thread() : undefined), 'thread holds the requeue');
    expect(thread).toMatch(/break-glass/i);
  }, 600_000);
});
