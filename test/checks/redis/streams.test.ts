import { describe, expect, it } from 'vitest';
import { redisStreams } from '../../../src/checks/redis/streams.ts';
import { runOne } from '../../helpers/check-context.ts';
import { service, useStreamCheckHarness } from './stream-harness.ts';
import { addDeadLetters, addEntries, addPending, provisionCaracalStreams } from '../../fixtures/caracal-redis.ts';

const h = useStreamCheckHarness();
const context = (thresholds?: Record<string, number>) => h.context(thresholds);

describe('redis.streams (Storage: the groups exist)', () => {
  it('passes on a healthy provisioned deployment and reports every group', async () => {
    await provisionCaracalStreams(h.lease.client, { gatewayHosts: ['gw-a', 'gw-b'], sdkGroups: true });
    const result = await runOne(redisStreams, context().ctx);
    expect(result.status).toBe('pass');
    expect(result.summary).toMatch(
      /All required consumer groups present \(\d+ service groups, 2 Gateway revocation group\(s\), 2 with a consumer\)/,
    );
    expect(result.metrics['caracal.audit.events/audit-ingestor.consumers']).toBe(1);
    expect(result.metrics['gateway.groups']).toBe(2);
    expect(result.evidence).toContain('caracal.audit.events/siem-export [informational]: consumers 0.');
    expect(result.evidence).toContain('caracal.sessions.revoke/gateway-revocation:gw-a [Gateway]: consumers 1.');
    expect(result.matrix).toEqual([]);
  });

  it('passes on a Helm install where the provisioner never ran', async () => {
    await provisionCaracalStreams(h.lease.client, { provisioner: false });
    const result = await runOne(redisStreams, context().ctx);
    expect(result.status).toBe('pass');
    expect(result.evidence).toContain('caracal.invocations.lifecycle: stream does not exist.');
  });

  it('fails when audit-ingestor is missing, and says restarting Audit leaves an evidence gap', async () => {
    await provisionCaracalStreams(h.lease.client, { omitGroups: ['audit-ingestor'] });
    const result = await runOne(redisStreams, context().ctx);
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('required group audit-ingestor (Audit) missing on caracal.audit.events');
    expect(result.remedy).toMatch(/Restart Audit/);
    expect(result.remedy).toMatch(/evidence gap/);
    expect(result.matrix).toEqual(['redis']);
  });

  it('fails when a required group and its stream are both absent', async () => {
    await provisionCaracalStreams(h.lease.client, { omitGroups: ['sts-keys'] });
    const result = await runOne(redisStreams, context().ctx);
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('required group sts-keys (STS) missing on caracal.keys.invalidate, stream absent');
    expect(result.remedy).toMatch(/Restart STS/);
  });

  it('fails when no Gateway pod has a revocation group', async () => {
    await provisionCaracalStreams(h.lease.client, { gatewayHosts: [] });
    const result = await runOne(redisStreams, context().ctx);
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('no gateway-revocation:<host> group on caracal.sessions.revoke');
  });

  it('passes at Storage while groups lag and hold pending entries: draining is judged at Evidence', async () => {
    await provisionCaracalStreams(h.lease.client, { gatewayHosts: ['gw-a'] });
    await addEntries(h.lease.client, 'caracal.policy.invalidate', 20);
    await addPending(h.lease.client, service('sts-revocation'), 5);
    await addDeadLetters(h.lease.client, 'caracal.sessions.revoke', 2);
    const result = await runOne(redisStreams, context({ streamLagMax: 10, streamPendingMax: 3 }).ctx);
    expect(result.status, result.summary).toBe('pass');
    expect(result.summary).toContain('redis.backlog');
    expect(result.evidence).toContain('caracal.policy.invalidate/opa-engine [STS]: consumers 1.');
  });

  it('is on Storage only', () => {
    expect(redisStreams.gates).toEqual(['storage']);
  });
});
