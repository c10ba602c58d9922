// Zone discovery: every page of GET /v1/zones, one list per run however many checks ask, the configured subset
// without any call.
import { afterEach, describe, expect, it } from 'vitest';
import { discoverPolicySets, discoverZones } from '../../src/checks/discovery/zones.ts';
import { fakeAdmin } from '../../src/sandbox/fake-caracal-admin.ts';
import { startHarness, type Harness } from './http/harness.ts';

describe('zone discovery', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('follows next_cursor through every page (501 zones: two pages of at most 500)', async () => {
    h = await startHarness();
    fakeAdmin(h.fake.state).zones = Array.from({ length: 501 }, (_, i) => ({ id: `zone-${i}`, name: `z${i}`, resources: 0 }));
    const found = await discoverZones(h.ctx, new AbortController().signal);
    expect(found.ok && found.items.length).toBe(501);
    expect(found.ok && found.items[500].id).toBe('zone-500');
    expect(h.fake.requests.filter((q) => q.path === '/v1/zones')).toHaveLength(2);
  });

  it('checks asking at the same time share one list', async () => {
    h = await startHarness();
    fakeAdmin(h.fake.state).zones = [
      { id: 'zone-a', name: 'a', resources: 0, policySets: [{ id: 'ps', name: 'p', active_version_id: 'v1' }] },
    ];
    const signal = new AbortController().signal;
    const [zones, sets] = await Promise.all([
      discoverZones(h.ctx, signal),
      discoverPolicySets(h.ctx, signal),
      discoverZones(h.ctx, signal),
    ]);
    expect(zones.ok && zones.items.map((z) => z.id)).toEqual(['zone-a']);
    expect(sets.ok && sets.items.map((s) => `${s.zoneId}/${s.policySetId}@${s.activeVersionId}`)).toEqual(['zone-a/ps@v1']);
    expect(h.fake.requests.filter((q) => q.path === '/v1/zones')).toHaveLength(1);
    // Nothing is kept once settled: the next run lists again.
    await discoverZones(h.ctx, signal);
    expect(h.fake.requests.filter((q) => q.path === '/v1/zones')).toHaveLength(2);
  });

  it('the configured subset needs no call, and neither does a configured policy set list', async () => {
    h = await startHarness({ caracal: { zones: ['z1'], policySets: [{ zoneId: 'z1', policySetId: 'p1' }] } });
    const signal = new AbortController().signal;
    const [zones, sets] = await Promise.all([discoverZones(h.ctx, signal), discoverPolicySets(h.ctx, signal)]);
    expect(zones).toMatchObject({ ok: true, source: 'config', items: [{ id: 'z1' }] });
    expect(sets).toMatchObject({ ok: true, source: 'config', items: [{ zoneId: 'z1', policySetId: 'p1' }] });
    expect(h.fake.requests.some((q) => q.path.startsWith('/v1/'))).toBe(false);
  });

  it('a rejected token is a discovery failure that says so', async () => {
    h = await startHarness({ env: { CARACAL_ADMIN_TOKEN: 'not-it' } });
    const found = await discoverZones(h.ctx, new AbortController().signal);
    expect(found.ok).toBe(false);
    expect(!found.ok && found.problem).toContain('HTTP 401: admin token missing or rejected');
  });
});
