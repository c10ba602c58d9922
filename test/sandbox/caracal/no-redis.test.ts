// `npm start` on a machine where Redis is unreachable still gives a working simulated Caracal: Redis is reported
// down, as in an outage, and everything else is green. Also: a configured Postgres instead of PGlite, kept across
// restarts, comes back green even when the previous run left its faults in the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulatedCaracal } from '../../../src/sandbox/caracal/index.ts';
import { closedPort } from '../../helpers/faults.ts';
import { createTempDatabase, type TempDatabase } from '../../helpers/pg.ts';
import { expectShows, runAll, sandboxContext } from './harness.ts';

/** What a Redis that is not there looks like to the checks: the redis_outage fault's picture. */
const REDIS_DOWN = [
  { check: 'redis.reachable', status: 'fail' as const, contains: ["Could not read Caracal's Redis"] },
  { check: 'redis.streams', status: 'fail' as const, contains: ["Could not read Caracal's Redis"] },
  { check: 'redis.backlog', status: 'fail' as const, contains: ["Could not read Caracal's Redis"] },
  { check: 'redis.dead-streams', status: 'fail' as const, contains: ["Could not read Caracal's Redis"] },
  { check: 'audit.dlq', status: 'fail' as const, contains: ["Could not read Caracal's Redis"] },
  {
    check: 'services.ready',
    status: 'fail' as const,
    contains: ['reason=redis_unreachable', 'error=internal_error', 'reason=consumer_unhealthy'],
  },
  // API /v1 and every Coordinator route pass a Redis-backed rate limit first; Audit's sweep is not trusted meanwhile.
  { check: 'sts.policy', status: 'fail' as const, contains: ['activation status unknown'] },
  { check: 'control.gate', status: 'fail' as const, contains: ['cannot serve'] },
  { check: 'coordinator.stats', status: 'fail' as const, contains: ['/stats unknown'] },
  { check: 'audit.tamper', status: 'warn' as const, contains: ['not ready'] },
  { check: 'services.live', status: 'fail' as const, contains: ['Audit', 'stream consumer unhealthy'] },
  { check: 'admin.auth', status: 'fail' as const, contains: ['did not accept an admin call'] },
  { check: 'backlog.metrics', status: 'fail' as const, contains: ['outbox counts unknown'] },
  { check: 'gateway.revocation', status: 'fail' as const, contains: ['cannot tell whether every pod was checked'] },
  { check: 'resume.canary', status: 'fail' as const, contains: ['jti_check_unavailable'] },
  { check: 'zones', status: 'fail' as const, contains: ['could not be fully read'] },
];

describe('simulated Caracal without Redis', () => {
  let redisUrl: string;
  beforeAll(async () => {
    redisUrl = `redis://127.0.0.1:${await closedPort()}`;
  });

  it('on PGlite: starts, reports Redis down, offers only the faults that need no Redis', async () => {
    const sim = await startSimulatedCaracal({ redisUrl, syncIntervalMs: 0, redisErrorDelayMs: { api: 50, coordinator: 50 } });
    const t = sandboxContext(sim);
    try {
      expect({ redis: sim.redisAvailable, postgres: sim.postgresKind }).toEqual({ redis: false, postgres: 'pglite' });
      expect(sim.redisProblem).toMatch(/^Redis at 127\.0\.0\.1:\d+ is not reachable/);
      expectShows(await runAll(t.ctx), REDIS_DOWN, 'no Redis');
      const unavailable = sim.faults
        .list()
        .filter((f) => !f.available)
        .map((f) => f.id);
      expect(unavailable).toEqual(['redis_outage', 'dlq_entries', 'audit_backpressure', 'revocation_propagation_lag', 'historic_residue']);
      await expect(sim.faults.inject('dlq_entries')).rejects.toThrow(/needs Redis: Redis at 127\.0\.0\.1:\d+ is not reachable/);
      // Postgres faults still work on top of the missing Redis.
      await sim.faults.inject('dead_outbox_rows');
      expect((await runAll(t.ctx)).get('outbox.coordinator')?.summary).toContain('1 dead row in caracal_outbox');
      // Clearing applies Caracal's remedies. The Coordinator's requeue route cannot work without Redis (its rate
      // limit answers 500), so that row stays dead; the DBA's SQL resets the API row, which then waits for Redis
      // like any pending row: created 2 h ago, it is an old backlog.
      await sim.faults.clear('dead_outbox_rows');
      const stuck = [
        // 7200 s, or a second more when the check runs a second after the row was made.
        { check: 'outbox.api', status: 'fail' as const, contains: ['event_outbox is not draining', 'pending rows is 720'] },
        { check: 'outbox.coordinator', status: 'fail' as const, contains: ['1 dead row in caracal_outbox'] },
      ];
      expectShows(await runAll(t.ctx), [...REDIS_DOWN, ...stuck], 'no Redis, cleared');
    } finally {
      await t.close();
      await sim.close();
    }
  }, 60_000);

  describe('on a configured Postgres database', () => {
    let db: TempDatabase;
    beforeAll(async () => {
      db = await createTempDatabase('sandbox');
    });
    afterAll(async () => {
      await db?.drop();
    });

    it('loads the schema into it, and a restart against it starts green although faults were left injected', async () => {
      const first = await startSimulatedCaracal({
        redisUrl,
        postgresUrl: db.url,
        syncIntervalMs: 0,
        redisErrorDelayMs: { api: 50, coordinator: 50 },
      });
      const t1 = sandboxContext(first);
      try {
        expect(first.postgresKind).toBe('postgres');
        expect(first.file.caracal.postgres.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/sandbox_[0-9a-f]+$/);
        expectShows(await runAll(t1.ctx), REDIS_DOWN, 'first start');
        await first.faults.inject('dead_outbox_rows');
        await first.faults.inject('tampered_audit_row');
      } finally {
        await t1.close();
        await first.close(); // without clearing: the dead rows and the tampered row stay in the database
      }
      const second = await startSimulatedCaracal({
        redisUrl,
        postgresUrl: db.url,
        syncIntervalMs: 0,
        redisErrorDelayMs: { api: 50, coordinator: 50 },
      });
      const t2 = sandboxContext(second);
      try {
        expectShows(await runAll(t2.ctx), REDIS_DOWN, 'restart');
        const [{ n }] = (await db.exec('SELECT count(*)::int AS n FROM public.audit_events')).rows as { n: number }[];
        expect(n).toBe(6); // seeded once, not again
      } finally {
        await t2.close();
        await second.close();
      }
    });
  });
});
