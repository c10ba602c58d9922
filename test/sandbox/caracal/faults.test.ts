// The simulated Caracal on PGlite (no Postgres configured) and the local Redis, judged by the bot's real checks:
// green at start; each fault makes exactly the checks it names fail (or warn) with the right reason; cleared, green.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRILLS } from '../../../src/drills/catalog.ts';
import { FAULTS, FaultError, startSimulatedCaracal, type SimulatedCaracal } from '../../../src/sandbox/caracal/index.ts';
import type { TestContext } from '../../helpers/check-context.ts';
import { leaseRedisDb, REDIS_HOST_URL, type LeasedRedis } from '../../helpers/redis.ts';
import { expectShows, isGreenException, runAll, sandboxContext } from './harness.ts';

describe('simulated Caracal on PGlite: every check, every fault', () => {
  let redis: LeasedRedis;
  let sim: SimulatedCaracal;
  let t: TestContext;

  beforeAll(async () => {
    // A leased logical database instead of the sandbox's default 9, so parallel test files never share one.
    redis = await leaseRedisDb();
    sim = await startSimulatedCaracal({
      redisUrl: REDIS_HOST_URL,
      redisDb: redis.db,
      syncIntervalMs: 500,
      redisErrorDelayMs: { api: 50, coordinator: 50 },
    });
    t = sandboxContext(sim);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await sim?.close();
    await redis?.release();
  });

  it('serves PGlite over the wire protocol behind a proxy, and the bot config points at the proxies', () => {
    expect(sim.postgresKind).toBe('pglite');
    expect(sim.redisAvailable).toBe(true);
    expect(sim.file.caracal.postgres.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    expect(sim.file.caracal.redis.url).toMatch(new RegExp(`^redis://127\\.0\\.0\\.1:\\d+/${redis.db}$`));
    // The Gateway pods sit behind one Service URL; EndpointSlice discovery names both pods.
    expect(sim.file.caracal.services.gateway).toHaveLength(1);
    expect(sim.fake.urls.gateway).toHaveLength(2);
    expect(sim.file.caracal.discovery.gateway.mode).toBe('endpointslice');
    expect(Object.keys(sim.env).sort()).toEqual([
      'CARACAL_ADMIN_TOKEN',
      'CARACAL_API_READ_TOKEN',
      'CARACAL_AUDIT_ADMIN_TOKEN',
      'CARACAL_AUDIT_HMAC_KEY',
      'CARACAL_CANARY_BEARER',
      'CARACAL_COORDINATOR_TOKEN',
      'CARACAL_METRICS_BEARER',
    ]);
  });

  it('is green: every check passes (redis.reachable may warn about a local Redis without AOF), over several pool connections', async () => {
    const results = await runAll(t.ctx);
    expectShows(results, [], 'green');
    expect(results.get('audit.chain')?.summary).toContain('All 6 audit rows in 1 zones verify');
    const reachable = results.get('redis.reachable');
    expect(reachable?.status === 'pass' || (reachable !== undefined && isGreenException(reachable))).toBe(true);
    // The Postgres checks ran in parallel, so the checks' pg.Pool held more than one PGlite connection at once.
    expect(t.ctx.postgres?.stats().total).toBeGreaterThan(1);
  });

  it('has a fault for every drill of the catalog, and every fault names a real drill', () => {
    const drills = new Set(DRILLS.map((d) => d.id));
    expect(DRILLS.filter((d) => !FAULTS.some((f) => f.drill === d.id)).map((d) => d.id)).toEqual([]);
    expect(FAULTS.filter((f) => !drills.has(f.drill)).map((f) => f.id)).toEqual([]);
    expect(sim.faults.list().every((f) => f.available && !f.active)).toBe(true);
  });

  it.each(FAULTS.map((f) => [f.id, f] as const))('%s: inject shows its failures, clear brings everything back', async (id, fault) => {
    await sim.faults.inject(id);
    try {
      expect(sim.faults.active()).toEqual([id]);
      expectShows(await runAll(t.ctx), fault.shows, `${id} injected`);
    } finally {
      await sim.faults.clear(id);
    }
    expect(sim.faults.active()).toEqual([]);
    expectShows(await runAll(t.ctx), [], `${id} cleared`);
  });

  it('redis_outage: API and Coordinator /ready answer 500 internal_error (their Redis rate limit runs first, caracal-ops.md 15.1.1)', async () => {
    await sim.faults.inject('redis_outage');
    try {
      for (const base of [...sim.file.caracal.services.api, ...sim.file.caracal.services.coordinator]) {
        const res = await fetch(`${base}/ready`);
        expect(res.status).toBe(500);
        expect(await res.json()).toMatchObject({ error: 'internal_error' });
      }
    } finally {
      await sim.faults.clear('redis_outage');
    }
  });

  it('derives readiness from the stores: a dead row written by hand fails Coordinator /ready; the requeue SQL restores it', async () => {
    const client = new pg.Client({ connectionString: sim.file.caracal.postgres.url });
    await client.connect();
    const ready = async () => (await fetch(`${sim.file.caracal.services.coordinator[0]}/ready`)).json() as Promise<Record<string, unknown>>;
    const until = async (want: Record<string, unknown>) => {
      for (let i = 0; i < 40 && JSON.stringify(await ready()) !== JSON.stringify(want); i++) await new Promise((r) => setTimeout(r, 100));
      expect(await ready()).toEqual(want);
    };
    try {
      await client.query(
        `INSERT INTO public.caracal_outbox (id, producer, topic, dedupe_key, payload_json, status, attempts)
         VALUES ('6d0c2c52-5a0e-4d0b-9a43-0c3b0f1e2a11', 'coordinator', 'caracal.agents.lifecycle', 'by-hand', '{"zone_id":"z"}', 'dead', 10)`,
      );
      // The periodic sync (every 500 ms here) notices it.
      await until({ ok: false, error: 'outbox_dead', dependency: 'outbox' });
      // What POST /zones/{z}/outbox/{id}/requeue does; the simulated publisher then publishes the row.
      await client.query(
        `UPDATE public.caracal_outbox SET status = 'pending', attempts = 0, available_at = now() WHERE dedupe_key = 'by-hand'`,
      );
      await until({ ok: true });
      const { rows } = await client.query(`SELECT status FROM public.caracal_outbox WHERE dedupe_key = 'by-hand'`);
      expect(rows).toEqual([{ status: 'published' }]);
    } finally {
      await client.end();
    }
  });

  it('a forced Gateway reload through the admin route fixes the stale snapshot and ends the fault', async () => {
    await sim.faults.inject('stale_revocation_snapshot');
    const stale = sim.fake.urls.gateway[1];
    const res = await fetch(`${stale}/internal/revocations/reload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.env.CARACAL_ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(200);
    await sim.faults.sync();
    expect(sim.faults.active()).toEqual([]);
    expect(await (await fetch(`${stale}/ready`)).json()).toEqual({ ok: true, ready: true });
  });

  it('refuses unknown faults', async () => {
    await expect(sim.faults.inject('meteor_strike')).rejects.toBeInstanceOf(FaultError);
  });
});
