// Target chaos during full check runs (what a status report and a gate's "Run checks" execute): Caracal's Postgres
// and Redis are refused and black-holed through a TCP proxy, a Gateway stalls, then everything returns. Every run
// completes with a verdict per check and no checker error, and nothing leaks: no unhandled rejection, no waiting
// pool client, no server-side Postgres connection beyond the target's pool.
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../src/checks/registry.ts';
import { createCheckTargets } from '../../src/checks/context.ts';
import { runChecks } from '../../src/checks/executor.ts';
import { timeoutFor } from '../../src/config.ts';
import { startTcpProxy, type TcpProxy } from '../../src/sandbox/caracal/proxy.ts';
import { startGreenCaracal, type GreenCaracal } from '../helpers/green-caracal.ts';
import { testConfig } from '../helpers/check-context.ts';
import { REDIS_HOST_PORT } from '../helpers/redis.ts';

/** The target's Postgres pool size (src/checks/targets/postgres.ts): the most connections a run may hold. */
const POOL_MAX = 4;

describe('target chaos: Postgres and Redis refused and black-holed, HTTP targets stalling, during full check runs', () => {
  let green: GreenCaracal;
  let pgProxy: TcpProxy;
  let redisProxy: TcpProxy;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    green = await startGreenCaracal();
    pgProxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    redisProxy = await startTcpProxy({ host: '127.0.0.1', port: REDIS_HOST_PORT });
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await pgProxy.close();
    await redisProxy.close();
    await green.close();
    nock.cleanAll();
  });

  /** Backends connected to the fixture database other than the fixture's own (its exec pool). */
  async function serverSideConnections(): Promise<number> {
    const { rows } = await green.db.exec(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name <> 'fixture'`,
    );
    return (rows[0] as { n: number }).n;
  }

  it('every run gives a verdict per check, failing closed on what is down, and the connections return', async () => {
    const caracal = green.file.caracal as { postgres: { url: string }; redis: { url: string } };
    const file = {
      ...green.file,
      caracal: {
        ...caracal,
        postgres: { url: caracal.postgres.url.replace(':5432/', `:${pgProxy.port}/`), statementTimeoutMs: 800 },
        redis: { url: caracal.redis.url.replace(`:${REDIS_HOST_PORT}/`, `:${redisProxy.port}/`) },
      },
      checks: { defaultTimeoutMs: 1500, httpTimeoutMs: 1000 },
    };
    const config = testConfig(file, green.env);
    const targets = createCheckTargets(config);
    // The Resume canary sends real requests through a Gateway, which this green fixture does not emulate.
    const checks = ALL_CHECKS.filter((c) => c.id !== 'resume.canary');
    const run = () => runChecks(checks, targets.context, { timeoutMs: (id) => timeoutFor(config, id) });
    const statusOf = (results: Awaited<ReturnType<typeof run>>, id: string) => results.find((r) => r.id === id)?.status;

    // Green before the chaos (on a busy machine the first connections may take longer than these tight timeouts).
    const untilGreen = async () => {
      let results = await run();
      for (let i = 0; i < 40 && results.some((r) => r.status === 'fail' || r.status === 'error'); i++) {
        await new Promise((r) => setTimeout(r, 250));
        results = await run();
      }
      return results;
    };
    const baseline = await untilGreen();
    expect(baseline.filter((r) => r.status === 'fail' || r.status === 'error')).toEqual([]);
    const idleBefore = await serverSideConnections();

    const phases: { name: string; act: () => Promise<void>; failing: string[] }[] = [
      { name: 'postgres refused', act: () => pgProxy.down('refuse'), failing: ['postgres.reachable'] },
      { name: 'postgres black-holed', act: () => pgProxy.down('blackhole'), failing: ['postgres.reachable'] },
      { name: 'redis refused too', act: () => redisProxy.down('refuse'), failing: ['postgres.reachable', 'redis.reachable'] },
      { name: 'redis black-holed', act: () => redisProxy.down('blackhole'), failing: ['postgres.reachable', 'redis.reachable'] },
      { name: 'a gateway stalls', act: () => Promise.resolve(void (green.fake.state.gateway[0].fault = 'hang')), failing: ['gateway.revocation'] },
      {
        name: 'all back',
        act: async () => {
          await pgProxy.up();
          await redisProxy.up();
          green.fake.state.gateway[0].fault = 'none';
        },
        failing: [],
      },
    ];
    for (const phase of phases) {
      await phase.act();
      const runs = await Promise.all([run(), run(), run()]);
      for (const results of runs) {
        expect(results.map((r) => r.id).sort(), phase.name).toEqual(checks.map((c) => c.id).sort());
        expect(results.filter((r) => r.status === 'error'), phase.name).toEqual([]);
        for (const id of phase.failing) expect(statusOf(results, id), `${phase.name}: ${id}`).toBe('fail');
      }
    }
    // Back to green after the targets return (ioredis reconnects with its backoff: it may take a few runs).
    const after = await untilGreen();
    expect(after.filter((r) => r.status === 'fail' || r.status === 'error').map((r) => r.id)).toEqual([]);
    const stats = targets.context.postgres!.stats();
    expect(stats.waiting).toBe(0);
    // Server side: black-holed connections were dropped, and what is connected is the pool, nothing more.
    expect(await serverSideConnections()).toBeLessThanOrEqual(Math.max(idleBefore, POOL_MAX));
    expect(stats.total).toBeLessThanOrEqual(POOL_MAX);
    expect(targets.context.redis!.status()).toBe('ready');
    expect(unhandled).toEqual([]);
    await targets.close();
    // pool.end() resolves before the server has seen every close: wait for the count, bounded.
    let left = await serverSideConnections();
    for (let i = 0; i < 100 && left > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      left = await serverSideConnections();
    }
    expect(left).toBe(0);
  }, 120_000);
});
