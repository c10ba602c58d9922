import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../src/checks/registry.ts';
import { createCheckTargets } from '../../src/checks/context.ts';
import { runChecks } from '../../src/checks/executor.ts';
import { timeoutFor } from '../../src/config.ts';
import { startGreenCaracal, type GreenCaracal } from '../helpers/green-caracal.ts';
import { testConfig } from '../helpers/check-context.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { REDIS_HOST_PORT } from '../helpers/redis.ts';

describe('target chaos: Postgres and Redis go away and come back, HTTP targets stall, during status reports', () => {
  let green: GreenCaracal;
  let pgProxy: TcpProxy;
  let redisProxy: TcpProxy;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    green = await startGreenCaracal();
    pgProxy = await startTcpProxy(5432);
    redisProxy = await startTcpProxy(REDIS_HOST_PORT);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await pgProxy.close();
    await redisProxy.close();
    await green.close();
    nock.cleanAll();
  });

  it('every report completes within its timeouts, nothing escapes, and the pools return to their baseline', async () => {
    const caracal = green.file.caracal as { postgres: { url: string }; redis: { url: string } };
    const file = {
      ...green.file,
      caracal: { ...caracal, postgres: { url: caracal.postgres.url.replace(':5432/', `:${pgProxy.port}/`), statementTimeoutMs: 800 }, redis: { url: caracal.redis.url.replace(`:${REDIS_HOST_PORT}/`, `:${redisProxy.port}/`) } },
      checks: { defaultTimeoutMs: 1500, httpTimeoutMs: 1000 },
    };
    const config = testConfig(file, green.env);
    const targets = createCheckTargets(config);
    const report = async () => {
      const started = performance.now();
      const results = await runChecks(ALL_CHECKS, targets.context, { timeoutMs: (id) => timeoutFor(config, id) });
      return { results, ms: performance.now() - started };
    };

    // Warm first: the first report opens every connection and compiles every checker, which on a loaded 2-CPU
    // machine can take longer than the HTTP timeout this test uses; the baseline is the steady state.
    await report();
    const baseline = await report();
    expect(baseline.results.filter((r) => r.status === 'fail' || r.status === 'error')).toEqual([]);
    const poolBaseline = targets.context.postgres!.stats().total;

    const phases: [string, () => void][] = [
      ['postgres down', () => pgProxy.down()],
      ['redis down too', () => redisProxy.down()],
      ['gateway stalls', () => { green.fake.state.gateway[0].fault = 'hang'; }],
      ['all back', () => { pgProxy.up(); redisProxy.up(); green.fake.state.gateway[0].fault = 'none'; }],
    ];
    for (const [name, act] of phases) {
      act();
      const runs = await Promise.all([report(), report(), report()]);
      for (const run of runs) {
        // Each check is bounded by its own timeout; the whole report by the largest one plus scheduling slack.
        expect(run.ms, name).toBeLessThan(1500 + 500);
        expect(run.results).toHaveLength(ALL_CHECKS.length);
        expect(run.results.filter((r) => r.status === 'error'), name).toEqual([]);
      }
      if (name === 'postgres down') expect(runs[0].results.find((r) => r.id === 'postgres.reachable')!.status).toBe('fail');
      if (name === 'redis down too') expect(runs[0].results.find((r) => r.id === 'redis.reachable')!.status).toBe('fail');
      if (name === 'gateway stalls') expect(runs[0].results.find((r) => r.id === 'gateway.revocation')!.status).toBe('fail');
    }
    // Back to green after the targets return (ioredis reconnects with its backoff: give it a moment).
    let after = await report();
    for (let i = 0; i < 20 && after.results.some((r) => r.status === 'fail'); i++) {
      await new Promise((r) => setTimeout(r, 250));
      after = await report();
    }
    expect(after.results.filter((r) => r.status === 'fail' || r.status === 'error').map((r) => r.id)).toEqual([]);
    const stats = targets.context.postgres!.stats();
    expect(stats.waiting).toBe(0);
    expect(stats.total).toBeLessThanOrEqual(Math.max(poolBaseline, 4));
    expect(targets.context.redis!.status()).toBe('ready');
    expect(unhandled).toEqual([]);
    await targets.close();
  }, 60_000);
});
