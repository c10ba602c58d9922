// Runs every real check (the registry's, plus the deep audit-chain verification) against a simulated Caracal,
// and compares the results with what a fault says the checks should show.
import { expect } from 'vitest';
import { auditChainDeep } from '../../../src/audit/deep-check.ts';
import { runChecks } from '../../../src/checks/executor.ts';
import { ALL_CHECKS } from '../../../src/checks/registry.ts';
import type { CheckContext } from '../../../src/checks/types.ts';
import type { CheckResult } from '../../../src/domain/check-result.ts';
import type { Expectation, SimulatedCaracal } from '../../../src/sandbox/caracal/index.ts';
import { sandboxThresholds } from '../../../src/sandbox/start.ts';
import { buildContext, testConfig, type TestContext } from '../../helpers/check-context.ts';

export const CHECKS = [...ALL_CHECKS, auditChainDeep];

/**
 * The bot's own configuration for the sandbox, with time limits that only a stalled service reaches: these tests
 * compare what the checks say, not how fast a service answers, and on a busy machine an in-process service (or
 * the local Postgres) can take seconds to be scheduled. For the same reason Postgres latency only warns past 5 s
 * here (test/checks/postgres/reachable.test.ts tests the latency warning itself).
 */
export function sandboxContext(sim: SimulatedCaracal): TestContext {
  const base = sandboxThresholds(testConfig().thresholds, sim.postgresKind);
  const thresholds = { ...base, postgresLatencyWarnMs: Math.max(base.postgresLatencyWarnMs, 5000) };
  return buildContext({ ...sim.file, thresholds, checks: { defaultTimeoutMs: 15_000, readyAnswerTimeoutMs: 10_000 } }, sim.env);
}

export async function runAll(ctx: CheckContext): Promise<Map<string, CheckResult>> {
  const results = await runChecks(CHECKS, ctx, { timeoutMs: () => 20_000 });
  return new Map(results.map((r) => [r.id, r]));
}

/**
 * The local Redis of a developer machine usually runs without AOF; redis.reachable then warns, as it should.
 * That is the one non-pass a green sandbox may show.
 */
export function isGreenException(r: CheckResult): boolean {
  return r.id === 'redis.reachable' && r.status === 'warn' && /appendonly is not yes/.test(r.summary) && !/maxmemory/.test(r.summary);
}

/** Every expected check has the expected status and summary text; every other check is green. */
export function expectShows(results: Map<string, CheckResult>, shows: readonly Expectation[], label: string): void {
  for (const e of shows) {
    const r = results.get(e.check);
    expect(r, `${label}: ${e.check} ran`).toBeDefined();
    expect({ id: r?.id, status: r?.status }, `${label}: ${r?.summary}`).toEqual({ id: e.check, status: e.status });
    for (const text of e.contains) expect(r?.summary, `${label}: ${e.check} summary`).toContain(text);
  }
  const expected = new Set(shows.map((e) => e.check));
  const others = [...results.values()].filter((r) => !expected.has(r.id) && r.status !== 'pass' && !isGreenException(r));
  expect(
    others.map((r) => `${r.id} ${r.status}: ${r.summary}`),
    `${label}: unexpected non-pass`,
  ).toEqual([]);
}
