// Target chaos during full check runs (what a status report and a gate's "Run checks" execute, through runChecks):
// Caracal's Postgres and Redis are refused and black-holed through a TCP proxy, a Gateway stalls, then everything
// returns. Every run completes with a verdict per check and no checker error, and nothing leaks: no unhandled
// rejection, no waiting pool client, and, counted on the servers while the runs are in flight, never more Postgres
// connections than the pool's 4 (three concurrent runs ask for many more) and never more than one Redis connection.
// A black-hole stall with every target timeout longer than the check's ends as `fail` within the check's timeout.
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

/** The target's Postgres pool size (src/checks/targets/postgres.ts): the most connections the bot may hold. */
const POOL_MAX = 4;
/** The name the bot's Postgres and Redis connections carry (application_name, CLIENT SETNAME). */
const APP = 'caracal-chatops';

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

  /** The bot's connections as the servers see them: Postgres backends and Redis clients named caracal-chatops. */
  async function botConnections(): Promise<{ postgres: number; redis: number }> {
    const { rows } = await green.db.exec(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1',
      [APP],
    );
    const list = String(await green.redis.client.call('CLIENT', 'LIST'));
    const redis = list.split('\n').filter((line) => line.includes(` name=${APP} `) && line.includes(` db=${green.redis.db} `)).length;
    return { postgres: (rows[0] as { n: number }).n, redis };
  }

  /** The highest counts seen while `work` runs: the servers' view, and the pool's queue (demand beyond its size). */
  async function peakDuring<T>(
    work: Promise<T>,
    waiting: () => number,
  ): Promise<{ result: T; postgres: number; redis: number; waiting: number }> {
    const peak = { postgres: 0, redis: 0, waiting: 0 };
    let done = false;
    const finished = work.finally(() => void (done = true));
    while (!done) {
      const now = await botConnections();
      peak.postgres = Math.max(peak.postgres, now.postgres);
      peak.redis = Math.max(peak.redis, now.redis);
      peak.waiting = Math.max(peak.waiting, waiting());
      await Promise.race([finished.catch(() => undefined), new Promise((r) => setTimeout(r, 10))]);
    }
    return { result: await finished, ...peak };
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

    const phases: { name: string; act: () => Promise<void>; failing: string[] }[] = [
      { name: 'postgres refused', act: () => pgProxy.down('refuse'), failing: ['postgres.reachable'] },
      { name: 'postgres black-holed', act: () => pgProxy.down('blackhole'), failing: ['postgres.reachable'] },
      { name: 'redis refused too', act: () => redisProxy.down('refuse'), failing: ['postgres.reachable', 'redis.reachable'] },
      { name: 'redis black-holed', act: () => redisProxy.down('blackhole'), failing: ['postgres.reachable', 'redis.reachable'] },
      {
        name: 'a gateway stalls',
        act: () => Promise.resolve(void (green.fake.state.gateway[0].fault = 'hang')),
        failing: ['gateway.revocation'],
      },
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
    const waiting = () => targets.context.postgres!.stats().waiting;
    const peaks = { postgres: 0, redis: 0, waiting: 0 };
    for (const phase of phases) {
      await phase.act();
      const started = performance.now();
      const seen = await peakDuring(Promise.all([run(), run(), run()]), waiting);
      const runs = seen.result;
      for (const key of ['postgres', 'redis', 'waiting'] as const) peaks[key] = Math.max(peaks[key], seen[key]);
      // Nothing hangs on a black hole: three concurrent runs end within the longest check timeout, plus slack for a
      // loaded machine (the targets' own timeouts are shorter than that here; the stall test below proves the bound).
      expect(performance.now() - started, phase.name).toBeLessThan(Math.max(...checks.map((c) => timeoutFor(config, c.id))) + 3000);
      for (const results of runs) {
        expect(results.map((r) => r.id).sort(), phase.name).toEqual(checks.map((c) => c.id).sort());
        expect(
          results.filter((r) => r.status === 'error'),
          phase.name,
        ).toEqual([]);
        for (const id of phase.failing) expect(statusOf(results, id), `${phase.name}: ${id}`).toBe('fail');
      }
    }
    // Back to green after the targets return (ioredis reconnects with its backoff: it may take a few runs).
    const after = await untilGreen();
    expect(after.filter((r) => r.status === 'fail' || r.status === 'error').map((r) => r.id)).toEqual([]);
    expect(targets.context.postgres!.stats().waiting).toBe(0);
    // The servers never saw more than the pool's size, nor more than one Redis connection, at any phase...
    expect(peaks.postgres, 'Postgres connections seen by the server').toBeLessThanOrEqual(POOL_MAX);
    expect(peaks.postgres).toBeGreaterThan(0);
    expect(peaks.redis, 'Redis connections seen by the server').toBe(1);
    // ...and that bound did bind: the three concurrent runs asked for more connections than the pool holds.
    expect(peaks.waiting, 'no client ever waited for the pool').toBeGreaterThan(0);
    // After the chaos: black-holed connections were dropped, and nothing but the bot's pool is connected.
    const { rows } = await green.db.exec(
      `SELECT count(*) FILTER (WHERE application_name = $1)::int AS bot, count(*)::int AS all
         FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name <> 'fixture'`,
      [APP],
    );
    const connected = rows[0] as { bot: number; all: number };
    expect(connected.all).toBe(connected.bot);
    expect(connected.bot).toBeLessThanOrEqual(POOL_MAX);
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
  it('a black-hole stall ends as fail within the check timeout, though every target timeout is far longer', async () => {
    const caracal = green.file.caracal as { postgres: { url: string }; redis: { url: string } };
    const CHECK_TIMEOUT = 1000;
    const TARGET_TIMEOUT = 15_000; // Postgres connect and statement, Redis connect and command, HTTP: all wait this long
    const config = testConfig(
      {
        ...green.file,
        caracal: {
          ...caracal,
          postgres: { url: caracal.postgres.url.replace(':5432/', `:${pgProxy.port}/`), statementTimeoutMs: TARGET_TIMEOUT },
          redis: { url: caracal.redis.url.replace(`:${REDIS_HOST_PORT}/`, `:${redisProxy.port}/`) },
        },
        checks: { defaultTimeoutMs: CHECK_TIMEOUT, httpTimeoutMs: TARGET_TIMEOUT },
      },
      green.env,
    );
    const targets = createCheckTargets(config);
    const stalled = ['postgres.reachable', 'redis.reachable', 'gateway.revocation'];
    try {
      await pgProxy.down('blackhole');
      await redisProxy.down('blackhole');
      green.fake.state.gateway[0].fault = 'hang';
      const checks = ALL_CHECKS.filter((c) => stalled.includes(c.id));
      const started = performance.now();
      const results = await runChecks(checks, targets.context, { timeoutMs: (id) => timeoutFor(config, id) });
      const elapsed = performance.now() - started;
      for (const r of results) {
        expect(r.status, r.id).toBe('fail');
        expect(r.summary, r.id).toBe(`No answer within ${CHECK_TIMEOUT} ms: the target is unreachable or stalled.`);
        // Slack for a loaded machine, an order of magnitude below the targets' own timeouts.
        expect(r.durationMs, r.id).toBeLessThan(CHECK_TIMEOUT + 1500);
      }
      expect(elapsed).toBeLessThan(CHECK_TIMEOUT + 1500);
    } finally {
      await pgProxy.up();
      await redisProxy.up();
      green.fake.state.gateway[0].fault = 'none';
      await targets.close();
    }
  }, 60_000);
});
