// Conformance of the simulated deployment with caracal-ops.md §15.2.3 and §15.2.4 (issue 12): residue that nothing
// in Caracal removes stays however long the deployment runs, and an old row edited outside the tamper sweep's window
// moves no counter. Plain reads of the stores and HTTP, as an operator would do them; no bot code in between.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulatedCaracal, type SimulatedCaracal } from '../../../src/sandbox/caracal/index.ts';
import { OLD_TAMPER_TARGET_ID } from '../../../src/sandbox/caracal/seed.ts';
import { AUDIT_DLQ_STREAM } from '../../../src/sandbox/caracal/streams.ts';
import { leaseRedisDb, REDIS_HOST_URL, type LeasedRedis } from '../../helpers/redis.ts';
import { call } from './helpers.ts';

let redis: LeasedRedis;
let sim: SimulatedCaracal;
let clock = Date.parse('2026-11-30T03:00:00Z');

beforeAll(async () => {
  redis = await leaseRedisDb();
  sim = await startSimulatedCaracal({ redisUrl: REDIS_HOST_URL, redisDb: redis.db, syncIntervalMs: 0, now: () => clock });
}, 60_000);
afterAll(async () => {
  await sim?.close();
  await redis?.release();
});

async function advance(ms: number): Promise<void> {
  clock += ms;
  await sim.faults.sync();
}

describe('§15.2.4 residue nothing clears', () => {
  it('a dead-lettered entry and an integrity DLQ entry stay through hours of running and a DLQ replay', async () => {
    await sim.faults.inject('historic_residue');
    const dead = await redis.client.xrange('caracal.sessions.revoke.dead', '-', '+');
    const dlq = await redis.client.xrange(AUDIT_DLQ_STREAM, '-', '+');
    expect(dead).toHaveLength(1);
    expect(dlq.map(([, f]) => f[f.indexOf('reason') + 1])).toEqual(['hmac_verify_failed']);
    // Dated before the incident: the entry ids carry a time two days before the deployment's clock.
    expect(Number(dead[0][0].split('-')[0])).toBeLessThan(clock - 24 * 3600_000);

    const replay = await call(`${sim.file.caracal.services.audit[0]}/api/audit/dlq/replay?limit=1000`, {
      method: 'POST',
      token: sim.env.CARACAL_AUDIT_ADMIN_TOKEN,
    });
    expect(replay).toMatchObject({ status: 200, body: { scanned: 1, replayed: 0, skipped: 1 } });
    for (let i = 0; i < 6; i++) await advance(3600_000);
    expect(await redis.client.xrange('caracal.sessions.revoke.dead', '-', '+')).toEqual(dead);
    expect(await redis.client.xrange(AUDIT_DLQ_STREAM, '-', '+')).toEqual(dlq);
    await sim.faults.clear('historic_residue');
    expect(await redis.client.xlen('caracal.sessions.revoke.dead')).toBe(0);
  });
});

describe('§15.2.3 the tamper counters cover recent rows and the start-up sweep only', () => {
  it('an old row edited after the full sweep leaves every counter at 0', async () => {
    const before = (await call(`${sim.file.caracal.services.audit[0]}/metrics.json`, { token: sim.env.CARACAL_METRICS_BEARER }))
      .body as Record<string, number>;
    await sim.faults.inject('tampered_old_row');
    await advance(3600_000); // an hourly sweep passes
    const db = new pg.Client({ connectionString: sim.file.caracal.postgres.url });
    await db.connect();
    const { rows } = await db
      .query<{ old: boolean; decision: string }>(
        "SELECT ingested_at < now() - interval '4 hours' AS old, decision FROM public.audit_events WHERE id = $1",
        [OLD_TAMPER_TARGET_ID],
      )
      .finally(() => db.end());
    expect(rows).toEqual([{ old: true, decision: 'deny' }]);
    const after = (await call(`${sim.file.caracal.services.audit[0]}/metrics.json`, { token: sim.env.CARACAL_METRICS_BEARER }))
      .body as Record<string, number>;
    expect({ m: after.tamper_mismatch_total, c: after.tamper_chain_breaks, h: after.tamper_hmac_failures }).toEqual({ m: 0, c: 0, h: 0 });
    // The full sweep ran at Audit start, before the edit, and has not run again.
    expect(after.tamper_last_full_unix).toBe(before.tamper_last_full_unix);
    expect(after.tamper_last_full_unix * 1000).toBeLessThan(clock - 3600_000);
    await sim.faults.clear('tampered_old_row');
  });
});
