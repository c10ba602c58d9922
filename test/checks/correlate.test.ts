// What a Redis outage and a Postgres outage of the simulated deployment report (texts as the checks write them),
// correlated: the root first, its consequences under it, each remedy once.
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/domain/check-result.ts';
import { correlate, remedySentences, ROOTS } from '../../src/checks/correlate.ts';
import { findingText, statusReportMessage } from '../../src/blocks/status-report.ts';
import { ALL_CHECKS } from '../../src/checks/registry.ts';

function result(
  id: string,
  status: CheckResult['status'],
  summary: string,
  remedy?: string,
  matrix: CheckResult['matrix'] = [],
): CheckResult {
  return {
    id,
    title: `Title ${id}`,
    gates: ['storage'],
    status,
    summary,
    metrics: {},
    evidence: [],
    remedy,
    matrix,
    durationMs: 1,
    finishedAt: '2026-11-30T03:00:00.000Z',
  };
}

const RESTORE_REDIS = 'Restore Redis, then re-run the storage checks.';
const RATE_LIMIT =
  'The Redis-backed rate-limit hook runs before the readiness logic, so a 500 internal_error almost always means Redis is down.';
const redisOutage = [
  // Report order: the consequences happen to come first.
  result(
    'services.ready',
    'fail',
    '6 of 6 pods not ready: API http://a:1: not ready (HTTP 500) error=internal_error; Coordinator http://c:3: not ready (HTTP 500) error=internal_error; Gateway http://g:2: not ready (HTTP 503) reason=redis_unreachable',
    `API http://a:1: ${RATE_LIMIT} Restore Redis (see redis.reachable); readiness returns by itself once PING answers. Coordinator http://c:3: ${RATE_LIMIT} Restore Redis (see redis.reachable); readiness returns by itself once PING answers. Gateway http://g:2: Restore Redis (see redis.reachable); readiness returns by itself once PING answers.`,
    ['redis', 'gateway', 'coordinator'],
  ),
  result('redis.streams', 'fail', "Could not read Caracal's Redis (Redis INFO: connection refused)", RESTORE_REDIS, ['redis']),
  result('redis.reachable', 'fail', "Could not read Caracal's Redis (Redis PING: connection refused)", RESTORE_REDIS, ['redis']),
  result('audit.dlq', 'fail', "Could not read Caracal's Redis (Redis XLEN: connection refused)", RESTORE_REDIS, ['redis']),
  // Not a Redis consequence: JWKS is served from Postgres (§15.2.7).
  result('sts.jwks', 'fail', 'STS http://s:1: no signing key for zone z1', undefined, ['sts']),
];

describe('correlate', () => {
  it('puts Redis down first, groups what it explains, says each remedy once', () => {
    const findings = correlate(redisOutage);
    expect(findings.map((f) => f.result.id)).toEqual(['redis.reachable', 'sts.jwks']);
    expect(findings[0].consequences.map((c) => c.id)).toEqual(['services.ready', 'redis.streams', 'audit.dlq']);
    // "Restore Redis" is the root's; the rate-limit explanation, said for API and Coordinator, appears once.
    expect(findings[0].extraRemedies).toEqual([RATE_LIMIT]);
    expect(findings[1].consequences).toEqual([]);
  });

  it('groups nothing when no store is down, and does not make a warning a root', () => {
    const slow = result('postgres.reachable', 'warn', 'Postgres answers, but slowly: SELECT 1 took 617 ms', 'Look for load.', ['postgres']);
    const other = result('outbox.api', 'fail', 'Postgres: 3 dead rows', 'Requeue them in Postgres.');
    expect(correlate([other, slow]).map((f) => [f.result.id, f.consequences.length])).toEqual([
      ['outbox.api', 0],
      ['postgres.reachable', 0],
    ]);
  });

  it('gives a consequence to the first root that explains it when both stores are down', () => {
    const pgDown = result('postgres.reachable', 'fail', 'Postgres is unreachable: connection refused.', 'Restore Postgres first.', [
      'postgres',
    ]);
    const tables = result('postgres.tables', 'fail', 'Postgres: connection refused');
    const findings = correlate([...redisOutage, pgDown, tables]);
    expect(findings.map((f) => f.result.id).slice(0, 2)).toEqual(['postgres.reachable', 'redis.reachable']);
    expect(findings[0].consequences.map((c) => c.id)).toEqual(['postgres.tables']);
    expect(findings[1].consequences.map((c) => c.id)).toEqual(['services.ready', 'redis.streams', 'audit.dlq']);
  });

  it('says Redis is the cause of every dependent finding, even one that only saw no answer, and drops network advice', () => {
    const silent = result(
      'services.ready',
      'fail',
      '2 of 6 pods not ready: API http://a:1: no answer: GET http://a:1/ready: no answer within 3000 ms',
      'API http://a:1: check the pod is running and that the bot may reach it (the Helm NetworkPolicy admits only Caracal pods plus networkPolicy.extraIngress).',
      ['api'],
    );
    const stats = result('coordinator.stats', 'fail', 'Coordinator jobs: /stats unknown: no answer within 1000 ms', undefined, [
      'coordinator',
    ]);
    const root = result('redis.reachable', 'fail', "Could not read Caracal's Redis (Redis PING: connection refused)", RESTORE_REDIS, [
      'redis',
    ]);
    const [f] = correlate([silent, stats, root]);
    expect(f.result.id).toBe('redis.reachable');
    expect(f.consequences.map((c) => c.id)).toEqual(['services.ready', 'coordinator.stats']);
    expect(f.extraRemedies.join(' ')).not.toMatch(/NetworkPolicy|reach it/);
    const text = findingText(f);
    expect(text.match(/Cause: Redis is down \(redis\.reachable\), not the network/g)).toHaveLength(2);
  });

  it('names only real checks as dependents of a store', () => {
    const ids = new Set(ALL_CHECKS.map((c) => c.id));
    for (const root of ROOTS)
      expect(
        [...root.dependents].filter((id) => !ids.has(id)),
        root.check,
      ).toEqual([]);
  });

  it('splits remedies into sentences without the per-pod prefix', () => {
    expect(remedySentences('Gateway http://g:2: Check it. STS http://s:1: Check it.')).toEqual(['Check it.', 'Check it.']);
  });
});

describe('the status report in causal order', () => {
  const view = (results: CheckResult[]) => ({
    reportId: 'r1',
    requestedBy: 'U1',
    startedAt: '2026-11-30T03:00:00.000Z',
    sandbox: false,
    planned: results.map((r) => ({ id: r.id, title: r.title })),
    results,
  });

  it('names the root cause in the headline, shows it first, and its remedy once', () => {
    const msg = statusReportMessage(view(redisOutage));
    const text = JSON.stringify(msg.blocks);
    expect(msg.text).toContain('Caracal status: Redis unavailable: 5 failing, 0 warning of 5 checks');
    expect(text.indexOf('`redis.reachable`')).toBeLessThan(text.indexOf('`services.ready`'));
    expect(text).toContain('Explains 3 more finding(s)');
    expect(text.split(RESTORE_REDIS).length - 1).toBe(1);
    expect(text).not.toContain('see redis.reachable');
    expect(text.split('rate-limit hook').length - 1).toBe(1);
  });

  it('does not call a slow Postgres "unavailable"', () => {
    const slow = result('postgres.reachable', 'warn', 'Postgres answers, but slowly: SELECT 1 took 617 ms', 'Look for load.', ['postgres']);
    const msg = statusReportMessage(view([slow]));
    expect(JSON.stringify(msg)).not.toContain('unavailable');
    expect(msg.text).toContain('0 failing, 1 warning of 1 checks');
  });
});
