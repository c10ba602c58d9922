import { describe, expect, it } from 'vitest';
import { redisBacklog } from '../../../src/checks/redis/backlog.ts';
import { runOne } from '../../helpers/check-context.ts';
import { service, useStreamCheckHarness } from './stream-harness.ts';
import { redisLater } from '../../helpers/redis-later.ts';
import {
  AUDIT_STREAM,
  addDeadLetters,
  addEntries,
  addPending,
  drain,
  gatewayGroup,
  makeLagUnknown,
  provisionCaracalStreams,
} from '../../fixtures/caracal-redis.ts';

const h = useStreamCheckHarness();
const context = (thresholds?: Record<string, number>) => h.context(thresholds);

describe('redis.backlog (Evidence: the groups have drained)', () => {
  it('keeps passing when a provisioned-only group lags by 5000', async () => {
    await provisionCaracalStreams(h.lease.client);
    await addEntries(h.lease.client, AUDIT_STREAM, 5000);
    expect(await drain(h.lease.client, service('audit-ingestor'))).toBe(5000);
    const result = await runOne(redisBacklog, context().ctx);
    expect(result.status).toBe('pass');
    expect(result.metrics['caracal.audit.events/siem-export.lag']).toBe(5000);
    expect(result.metrics['caracal.audit.events/audit-ingestor.lag']).toBe(0);
  });

  it('does not judge leftover Gateway groups (no consumer) however far behind', async () => {
    await provisionCaracalStreams(h.lease.client, { gatewayHosts: ['gw-live'], leftoverGatewayHosts: ['gw-gone'], sdkGroups: true });
    await addEntries(h.lease.client, 'caracal.sessions.revoke', 50);
    for (const g of [service('sts-revocation'), gatewayGroup('gw-live')]) await drain(h.lease.client, g);
    const result = await runOne(redisBacklog, context({ streamLagMax: 10 }).ctx);
    expect(result.status).toBe('pass');
    expect(result.metrics['caracal.sessions.revoke/gateway-revocation:gw-gone.lag']).toBe(50);
    expect(result.metrics['caracal.sessions.revoke/resource-revocation.lag']).toBe(50);
    expect(result.evidence.some((l) => l.includes('gateway-revocation:gw-gone [leftover: no consumer]'))).toBe(true);
  });

  const HOUR = 3_600_000;
  const gw = (host: string) => gatewayGroup(host);

  it('keeps a quiet deployment green an hour later although Redis before 7.2 reports idle growing', async () => {
    await provisionCaracalStreams(h.lease.client, { gatewayHosts: ['gw-a', 'gw-b'] });
    const ctx = context().ctx;
    const later = { ...ctx, redis: redisLater(ctx.redis!, HOUR, { polling: [gw('gw-a').consumer!, gw('gw-b').consumer!] }) };
    const consumers = (await h.lease.client.call('XINFO', 'CONSUMERS', gw('gw-a').stream, gw('gw-a').group)) as unknown[];
    const result = await runOne(redisBacklog, later);
    expect(result.status, result.summary).toBe('pass');
    expect(result.evidence.filter((l) => /gateway-revocation:gw-[ab] \[judged\]/.test(l))).toHaveLength(2);
    const version = String(result.metrics.redisVersion);
    expect(version).toMatch(/^\d+\.\d+/);
    // The verdict names the version it rests on, and how consumer activity was read on it.
    const hasInactive = JSON.stringify(consumers).includes('"inactive"');
    expect(result.summary).toContain(`Redis ${version}`);
    expect(result.evidence.join('\n')).toContain(hasInactive ? 'judged by XINFO CONSUMERS inactive' : 'reports no inactive (added in 7.2)');
  });

  it('calls a Gateway group a leftover when an entry has waited undelivered past the threshold, on any version', async () => {
    await provisionCaracalStreams(h.lease.client, { gatewayHosts: ['gw-a', 'gw-b'] });
    await addEntries(h.lease.client, 'caracal.sessions.revoke', 1);
    for (const g of [service('sts-revocation'), gw('gw-a')]) await drain(h.lease.client, g);
    const ctx = context().ctx;
    const later = { ...ctx, redis: redisLater(ctx.redis!, HOUR, { polling: [gw('gw-a').consumer!] }) };
    const one = await runOne(redisBacklog, later);
    expect(one.status, one.summary).toBe('pass');
    expect(one.evidence.some((l) => l.startsWith('caracal.sessions.revoke/gateway-revocation:gw-a [judged]'))).toBe(true);
    expect(
      one.evidence.some((l) =>
        /gateway-revocation:gw-b \[leftover: (an entry has waited 3600 s undelivered|no consumer tried to read for 36\d\d s)/.test(l),
      ),
    ).toBe(true);

    // Now nobody reads: the entry waits for both pods.
    await addEntries(h.lease.client, 'caracal.sessions.revoke', 1);
    await drain(h.lease.client, service('sts-revocation'));
    const none = await runOne(redisBacklog, { ...ctx, redis: redisLater(ctx.redis!, HOUR) });
    expect(none.status).toBe('warn');
    expect(none.summary).toMatch(/none of the 2 gateway-revocation:\* groups has a consumer active in the last 120 s \(Redis \d/);
  });

  it('gives a consumer the benefit of the doubt while an undelivered entry is younger than the threshold', async () => {
    await provisionCaracalStreams(h.lease.client, { gatewayHosts: ['gw-a'] });
    await addEntries(h.lease.client, 'caracal.sessions.revoke', 1);
    await drain(h.lease.client, service('sts-revocation'));
    const ctx = context().ctx;
    const result = await runOne(redisBacklog, { ...ctx, redis: redisLater(ctx.redis!, 60_000, { polling: [gw('gw-a').consumer!] }) });
    expect(result.status, result.summary).toBe('pass');
    expect(result.evidence.some((l) => l.startsWith('caracal.sessions.revoke/gateway-revocation:gw-a [judged]'))).toBe(true);
  });

  it('fails when pending entries exceed streamPendingMax, naming who holds them', async () => {
    await provisionCaracalStreams(h.lease.client);
    await addPending(h.lease.client, service('sts-revocation'), 5);
    const result = await runOne(redisBacklog, context({ streamPendingMax: 3 }).ctx);
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('caracal.sessions.revoke/sts-revocation pending 5 > 3');
    expect(result.metrics['caracal.sessions.revoke/sts-revocation.pending']).toBe(5);
    expect(result.evidence.some((l) => l.includes('held by sts-sts-0-1-revocations=5'))).toBe(true);
    expect(result.remedy).toMatch(/STS reclaims idle entries only at startup/);
    expect(result.matrix).toEqual(['redis']);
  });

  it('passes with pending entries under the thresholds', async () => {
    await provisionCaracalStreams(h.lease.client);
    await addPending(h.lease.client, service('audit-ingestor'), 2);
    const result = await runOne(redisBacklog, context().ctx);
    expect(result.status).toBe('pass');
    expect(result.metrics['caracal.audit.events/audit-ingestor.pending']).toBe(2);
    expect(result.metrics['caracal.audit.events/audit-ingestor.oldestPendingIdleSeconds']).toBe(0);
  });

  it('fails when a judged group lags beyond streamLagMax', async () => {
    await provisionCaracalStreams(h.lease.client);
    await addEntries(h.lease.client, 'caracal.policy.invalidate', 20);
    const result = await runOne(redisBacklog, context({ streamLagMax: 10 }).ctx);
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('caracal.policy.invalidate/opa-engine lag 20 > 10');
    expect(result.metrics['caracal.policy.invalidate/opa-engine.lag']).toBe(20);
  });

  it('warns when the oldest pending entry has been idle too long', async () => {
    await provisionCaracalStreams(h.lease.client);
    await addPending(h.lease.client, service('coordinator-relay'), 2, { idleMs: 300_000 });
    const result = await runOne(redisBacklog, context().ctx);
    expect(result.status).toBe('warn');
    expect(result.summary).toMatch(/caracal.agents.lifecycle\/coordinator-relay oldest pending entry idle 30\d s > 120 s/);
    expect(result.metrics['caracal.agents.lifecycle/coordinator-relay.oldestPendingIdleSeconds']).toBeGreaterThanOrEqual(300);
    expect(result.matrix).toEqual([]);
  });

  it("warns, not passes, when Redis cannot report a judged group's lag", async () => {
    await provisionCaracalStreams(h.lease.client);
    await makeLagUnknown(h.lease.client, 'caracal.keys.invalidate');
    const result = await runOne(redisBacklog, context().ctx);
    expect(result.status).toBe('warn');
    expect(result.metrics['caracal.keys.invalidate/sts-keys.lag']).toBeNull();
    expect(result.summary).toContain('caracal.keys.invalidate/sts-keys lag unknown');
    expect(result.evidence.some((l) => l.includes('sts-keys [judged]: consumers 1, pending 0, lag unknown'))).toBe(true);
  });

  it('reports groups it does not know without judging them', async () => {
    await provisionCaracalStreams(h.lease.client);
    await h.lease.client.xgroup('CREATE', AUDIT_STREAM, 'custom-siem', '0');
    await addEntries(h.lease.client, AUDIT_STREAM, 3);
    await drain(h.lease.client, service('audit-ingestor'));
    const result = await runOne(redisBacklog, context({ streamLagMax: 1 }).ctx);
    expect(result.status).toBe('pass');
    expect(result.evidence.some((l) => l.startsWith('caracal.audit.events/custom-siem [unknown, informational]'))).toBe(true);
  });

  it('passes on a healthy provisioned deployment and reports every group', async () => {
    await provisionCaracalStreams(h.lease.client, { gatewayHosts: ['gw-a', 'gw-b'], sdkGroups: true });
    const result = await runOne(redisBacklog, context().ctx);
    expect(result.status, result.summary).toBe('pass');
    expect(result.summary).toMatch(/Every judged consumer group within thresholds/);
    expect(result.metrics['caracal.audit.events/audit-ingestor.pending']).toBe(0);
    expect(result.metrics['caracal.audit.events/audit-ingestor.lag']).toBe(0);
    expect(result.metrics['caracal.sessions.revoke/gateway-revocation:gw-b.lag']).toBe(0);
    expect(result.evidence).toContain('caracal.audit.events/siem-export [informational]: consumers 0, pending 0, lag 0.');
    expect(result.evidence.some((l) => l.startsWith('caracal.sessions.revoke/gateway-revocation:gw-a [judged]'))).toBe(true);
    expect(result.matrix).toEqual([]);
  });

  it('fails when a required group is missing, since its backlog cannot be judged', async () => {
    await provisionCaracalStreams(h.lease.client, { omitGroups: ['audit-ingestor'] });
    const result = await runOne(redisBacklog, context().ctx);
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('required group audit-ingestor (Audit) missing on caracal.audit.events: its backlog cannot be judged');
  });

  it('does not judge dead-letter streams (redis.dead-streams does) and is on Evidence only', async () => {
    await provisionCaracalStreams(h.lease.client);
    await addDeadLetters(h.lease.client, 'caracal.sessions.revoke', 2);
    await drain(h.lease.client, service('sts-revocation'));
    await drain(h.lease.client, gatewayGroup('gateway-0'));
    const result = await runOne(redisBacklog, context().ctx);
    expect(result.status, result.summary).toBe('pass');
    expect(redisBacklog.gates).toEqual(['evidence']);
  });
});
