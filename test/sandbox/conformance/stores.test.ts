// Conformance of the simulated deployment's store-backed behaviour with real Caracal v1.0 (caracal-ops.md §4,
// §5.2, §6, §15): what happens to outbox rows, the DLQ and the Gateway snapshot over time, with the sandbox's own
// Postgres (PGlite) and Redis, on an injected clock. Written from the fact sheet, not from the bot.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulatedCaracal, type SimulatedCaracal } from '../../../src/sandbox/caracal/index.ts';
import { addDlqEntries } from '../../../src/sandbox/caracal/audit-dlq.ts';
import { AUDIT_DLQ_STREAM } from '../../../src/sandbox/caracal/streams.ts';
import { leaseRedisDb, REDIS_HOST_URL, type LeasedRedis } from '../../helpers/redis.ts';
import { call } from './helpers.ts';

let redis: LeasedRedis;
let sim: SimulatedCaracal;
let db: pg.Client;
let clock = Date.parse('2026-11-30T03:00:00Z');
const zone = () => sim.file.caracal.zones[0] ?? '';

beforeAll(async () => {
  redis = await leaseRedisDb();
  sim = await startSimulatedCaracal({
    redisUrl: REDIS_HOST_URL,
    redisDb: redis.db,
    syncIntervalMs: 0,
    now: () => clock,
    redisErrorDelayMs: { api: 20, coordinator: 20 },
  });
  db = new pg.Client({ connectionString: sim.file.caracal.postgres.url });
  // The Postgres outage cuts this connection at the proxy, as it would a real one; later tests open their own.
  db.on('error', () => undefined);
  await db.connect();
}, 60_000);
afterAll(async () => {
  await db?.end();
  await sim?.close();
  await redis?.release();
});

/** Advance the deployment's clock and let the simulated services do what is due. */
async function advance(ms: number): Promise<void> {
  clock += ms;
  await sim.faults.sync();
}

async function insertPending(table: 'caracal_outbox' | 'event_outbox'): Promise<string> {
  const id = randomUUID();
  if (table === 'caracal_outbox') {
    await db.query(
      `INSERT INTO public.caracal_outbox (id, producer, topic, dedupe_key, payload_json, status, attempts, available_at, created_at)
      VALUES ($1, 'coordinator', 'caracal.agents.lifecycle', $1, $2::jsonb, 'pending', 0, $3, $3)`,
      [id, JSON.stringify({ zone_id: zone() }), new Date(clock)],
    );
  } else {
    await db.query(
      `INSERT INTO public.event_outbox (id, stream_name, payload_json, attempts, available_at, created_at)
      VALUES ($1, 'caracal.sessions.revoke', '{}', 0, $2, $2)`,
      [id, new Date(clock)],
    );
  }
  return id;
}

describe('§15.1.2 rows die after the real attempt counts while Redis is down', () => {
  it('a Coordinator row is dead after 10 attempts (about a minute), an API row only after 100; then readiness fails', async () => {
    await sim.faults.inject('redis_outage');
    const coordinatorRow = await insertPending('caracal_outbox');
    const apiRow = await insertPending('event_outbox');
    const attempts = async () => {
      const c = await db.query<{ status: string; attempts: number }>('SELECT status, attempts FROM public.caracal_outbox WHERE id = $1', [
        coordinatorRow,
      ]);
      const a = await db.query<{ dead: boolean; attempts: number }>(
        `SELECT available_at = 'infinity' AS dead, attempts FROM public.event_outbox WHERE id = $1`,
        [apiRow],
      );
      return { coordinator: c.rows[0], api: a.rows[0] };
    };
    let elapsed = 0;
    while ((await attempts()).coordinator?.status !== 'dead' && elapsed < 600_000) {
      await advance(2_000);
      elapsed += 2_000;
    }
    const atDeath = await attempts();
    expect(atDeath.coordinator).toEqual({ status: 'dead', attempts: 10 });
    expect(elapsed).toBeGreaterThanOrEqual(45_000);
    expect(elapsed).toBeLessThanOrEqual(90_000);
    expect(atDeath.api?.dead).toBe(false);
    // The API gives up only at 100 attempts: backoff capped at 60 s makes that about 1.5 to 2 hours.
    while (!(await attempts()).api?.dead && elapsed < 3 * 3_600_000) {
      await advance(30_000);
      elapsed += 30_000;
    }
    expect((await attempts()).api).toEqual({ dead: true, attempts: 100 });
    expect(elapsed).toBeGreaterThanOrEqual(80 * 60_000);
    await sim.faults.clear('redis_outage');
    const coordinatorReady = await call(`${sim.file.caracal.services.coordinator[0]}/ready`);
    expect({ status: coordinatorReady.status, body: coordinatorReady.body }).toEqual({
      status: 503,
      body: { ok: false, error: 'outbox_dead', dependency: 'outbox' },
    });
    const apiReady = await call(`${sim.file.caracal.services.api[0]}/ready`);
    expect(apiReady).toMatchObject({ status: 503, body: { ok: false, error: 'outbox_dead_messages', deadCount: 1, limit: 0 } });

    // §15.1.3: the requeue route resets the row; it is published on the next pass and /ready returns to 200.
    const requeue = `${sim.file.caracal.services.coordinator[0]}/zones/${zone()}/outbox/${coordinatorRow}/requeue`;
    const token = sim.env.CARACAL_COORDINATOR_TOKEN;
    expect(await call(requeue, { method: 'POST', token })).toMatchObject({ status: 200, body: { id: coordinatorRow, status: 'pending' } });
    await advance(1_000);
    expect((await db.query('SELECT status FROM public.caracal_outbox WHERE id = $1', [coordinatorRow])).rows).toEqual([
      { status: 'published' },
    ]);
    expect((await call(`${sim.file.caracal.services.coordinator[0]}/ready`)).status).toBe(200);
    expect(await call(requeue, { method: 'POST', token })).toMatchObject({ status: 404, body: { error: 'dead_outbox_not_found' } });
    // The API row has no endpoint: it stays dead until someone resets it by SQL.
    await advance(60_000);
    expect((await call(`${sim.file.caracal.services.api[0]}/ready`)).status).toBe(503);
    await db.query(`UPDATE public.event_outbox SET available_at = $2, attempts = 0, last_error = NULL WHERE id = $1`, [
      apiRow,
      new Date(clock),
    ]);
    await advance(1_000);
    expect((await call(`${sim.file.caracal.services.api[0]}/ready`)).status).toBe(200);
  }, 120_000);
});

describe('§15.1.4 Coordinator /stats answers from the real outbox', () => {
  it('counts pending, published and dead rows of producer coordinator', async () => {
    const r = await call(`${sim.file.caracal.services.coordinator[0]}/stats`, { token: sim.env.CARACAL_COORDINATOR_TOKEN });
    const [row] = (
      await db.query<{ dead: number; published: number; pending: number }>(`SELECT
      count(*) FILTER (WHERE status = 'dead')::int AS dead, count(*) FILTER (WHERE status = 'published')::int AS published,
      count(*) FILTER (WHERE status = 'pending')::int AS pending FROM public.caracal_outbox WHERE producer = 'coordinator'`)
    ).rows;
    expect((r.body as { outbox: unknown }).outbox).toEqual(row);
  });
});

describe('§15.2.5 Audit DLQ replay on the real stream', () => {
  it('replays only the replayable entries and leaves the rest', async () => {
    const redisClient = new Redis(redis.url);
    try {
      await redisClient.del(AUDIT_DLQ_STREAM);
      await addDlqEntries(
        redisClient,
        [
          { reason: 'hmac_verify_failed' },
          { reason: 'transient_exceeded_max_deliveries:conn refused' },
          { reason: 'transient_exceeded_max_deliveries' },
          { reason: 'pg_permanent_error:23502', srcData: false },
        ],
        { auditKeyHex: sim.env.CARACAL_AUDIT_HMAC_KEY },
      );
      const r = await call(`${sim.file.caracal.services.audit[0]}/api/audit/dlq/replay?limit=1000`, {
        method: 'POST',
        token: sim.env.CARACAL_AUDIT_ADMIN_TOKEN,
      });
      expect(r.body).toEqual({ scanned: 4, replayed: 1, skipped: 3 });
      const left = await redisClient.xrange(AUDIT_DLQ_STREAM, '-', '+');
      expect(left.map(([, f]) => f[f.indexOf('reason') + 1])).toEqual([
        'hmac_verify_failed',
        'transient_exceeded_max_deliveries',
        'pg_permanent_error:23502',
      ]);
      await redisClient.del(AUDIT_DLQ_STREAM);
    } finally {
      redisClient.disconnect();
    }
  });
});

describe('§15.2.7 and §15.2.10 during a Postgres outage', () => {
  it('JWKS answers 404 for a zone that has keys, and every 30 s Gateway reload fails (revocation_reload_errors grows)', async () => {
    const jwks = `${sim.file.caracal.services.sts[0]}/.well-known/jwks.json?zone_id=${zone()}`;
    expect((await call(jwks)).status).toBe(200);
    const errors = async () =>
      (
        (await call(`${sim.fake.urls.gateway[0]}/metrics.json`, { token: sim.env.CARACAL_METRICS_BEARER })).body as {
          revocation_reload_errors: number;
        }
      ).revocation_reload_errors;
    await sim.faults.inject('postgres_outage');
    try {
      expect((await call(jwks)).status).toBe(404);
      const before = await errors();
      await advance(31_000);
      await advance(31_000);
      expect(await errors()).toBeGreaterThanOrEqual(before + 2);
    } finally {
      await sim.faults.clear('postgres_outage');
    }
    expect((await call(jwks)).status).toBe(200);
  });
});

describe('§15.2.6 a policy that does not compile keeps the previous bundle', () => {
  it('activation status is waiting_for_sts with STS loaded on the old version, not failed', async () => {
    await sim.faults.inject('bad_policy_activation');
    try {
      const path = `/v1/zones/${zone()}/policy-sets/${sim.file.caracal.policySets[0]?.policySetId ?? ''}/activation-status`;
      const r = await call(`${sim.file.caracal.services.api[0]}${path}`, { token: sim.env.CARACAL_API_READ_TOKEN });
      const body = r.body as {
        propagation_status: string;
        active_version_id: string;
        sts: { state: string; policy_set_version_id: string };
      };
      expect(body.propagation_status).toBe('waiting_for_sts');
      expect(body.sts.state).toBe('loaded');
      expect(body.sts.policy_set_version_id).not.toBe(body.active_version_id);
    } finally {
      await sim.faults.clear('bad_policy_activation');
    }
  });
});

describe('§15.1.6 a dead activation event is never reported as dead', () => {
  it('shows waiting_for_outbox with outbox.state pending and attempts 100; the SQL reset publishes it and STS loads it', async () => {
    const path = `/v1/zones/${zone()}/policy-sets/${sim.file.caracal.policySets[0]?.policySetId ?? ''}/activation-status`;
    const read = async () =>
      (await call(`${sim.file.caracal.services.api[0]}${path}`, { token: sim.env.CARACAL_API_READ_TOKEN })).body as {
        propagation_status: string;
        outbox: { state: string; attempts: number };
      };
    await sim.faults.inject('dead_activation_event');
    const dead = await read();
    expect({ status: dead.propagation_status, state: dead.outbox.state, attempts: dead.outbox.attempts }).toEqual({
      status: 'waiting_for_outbox',
      state: 'pending',
      attempts: 100,
    });
    await sim.faults.clear('dead_activation_event');
    // The DBA's SQL makes the row due at Postgres's now(); the deployment's clock is injected here, so move past it.
    clock = Math.max(clock, Date.now()) + 1_000;
    await advance(1_000);
    expect((await read()).propagation_status).toBe('loaded');
  });
});

describe('§15.2.2 audit chain columns are nullable', () => {
  it('content_sha256, prev_content_sha256, chain_seq and chain_hmac accept NULL', async () => {
    const fresh = new pg.Client({ connectionString: sim.file.caracal.postgres.url });
    await fresh.connect();
    const { rows } = await fresh
      .query<{ column_name: string; is_nullable: string }>(
        `SELECT column_name, is_nullable FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = 'audit_events' AND column_name IN ('content_sha256', 'prev_content_sha256', 'chain_seq', 'chain_hmac')
      ORDER BY column_name`,
      )
      .finally(() => fresh.end());
    expect(rows).toEqual(
      ['chain_hmac', 'chain_seq', 'content_sha256', 'prev_content_sha256'].map((c) => ({ column_name: c, is_nullable: 'YES' })),
    );
  });
});
