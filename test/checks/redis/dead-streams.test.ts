import { describe, expect, it } from 'vitest';
import { redisDeadStreams } from '../../../src/checks/redis/dead-streams.ts';
import { runOne } from '../../helpers/check-context.ts';
import { service, useStreamCheckHarness } from './stream-harness.ts';
import { addDeadLetters, drain, gatewayGroup, provisionCaracalStreams } from '../../fixtures/caracal-redis.ts';

const h = useStreamCheckHarness();
const context = (thresholds?: Record<string, number>) => h.context(thresholds);

describe('redis.dead-streams (Evidence)', () => {
  it('warns when a dead-letter stream holds messages', async () => {
    await provisionCaracalStreams(h.lease.client);
    await addDeadLetters(h.lease.client, 'caracal.sessions.revoke', 2);
    await drain(h.lease.client, service('sts-revocation'));
    await drain(h.lease.client, gatewayGroup('gateway-0'));
    const result = await runOne(redisDeadStreams, context().ctx);
    expect(result.status).toBe('warn');
    expect(result.summary).toContain('caracal.sessions.revoke.dead holds 2 dead-lettered messages');
    expect(result.metrics['caracal.sessions.revoke.dead.length']).toBe(2);
    expect(result.remedy).toMatch(/never retried/);
  });

  it('passes when every dead-letter stream is empty or absent, and is on Evidence only', async () => {
    await provisionCaracalStreams(h.lease.client);
    const result = await runOne(redisDeadStreams, context().ctx);
    expect(result.status).toBe('pass');
    expect(result.metrics['caracal.sessions.revoke.dead.length']).toBe(0);
    expect(redisDeadStreams.gates).toEqual(['evidence']);
  });
});
