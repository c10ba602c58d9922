// zones: discovered with the admin token (or the configured subset), each zone read as Caracal's diagnostics do;
// sts.jwks and sts.policy follow the discovered zones and active policy sets when the config lists none.
import { afterEach, describe, expect, it } from 'vitest';
import { stsJwks } from '../../../src/checks/http/sts-jwks.ts';
import { stsPolicy } from '../../../src/checks/http/sts-policy.ts';
import { zonesCheck } from '../../../src/checks/http/zones.ts';
import { fakeAdmin } from '../../../src/sandbox/fake-caracal-admin.ts';
import { activationBody } from '../../../src/sandbox/fake-caracal.ts';
import { startHarness, type Harness } from './harness.ts';

const zoneId = (i: number) => `0000000${i.toString(16)}-0000-4000-8000-${i.toString().padStart(12, '0')}`.slice(-36);

describe('zones', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('discovers every zone the token sees (50 here) and reads each: zone, resources, policy sets, audit', async () => {
    // Generous timeouts: this is about coverage, not speed (bench/doctor.ts measures that).
    h = await startHarness({ httpTimeoutMs: 10_000 });
    fakeAdmin(h.fake.state).zones = Array.from({ length: 50 }, (_, i) => ({
      id: zoneId(i),
      name: `zone ${i}`,
      resources: i % 3,
      policySets: [{ id: `ps-${i}`, name: 'main', active_version_id: i === 7 ? null : `v-${i}` }],
    }));
    const r = await h.run(zonesCheck, 60_000);
    expect(r.status, r.summary).toBe('pass');
    expect(r.metrics).toMatchObject({ 'zones.source': 'admin', 'zones.checked': 50, 'zones.ok': 50 });
    expect(r.evidence).toHaveLength(50);
    expect(r.evidence.find((l) => l.startsWith(`zone ${zoneId(7)}`))).toContain('1 policy set(s), none active');
    expect(r.evidence.find((l) => l.startsWith(`zone ${zoneId(8)}`))).toMatch(
      /2 resource\(s\); 1 policy set\(s\), 1 active \(ps-8@v-8\); audit queryable/,
    );
    // The list once, then four reads per zone.
    const v1 = h.fake.requests.filter((q) => q.path.startsWith('/v1/'));
    expect(v1.filter((q) => q.path === '/v1/zones')).toHaveLength(1);
    expect(v1).toHaveLength(1 + 50 * 4);
  });

  it('a zone added after the config was written is checked without touching the config', async () => {
    h = await startHarness();
    fakeAdmin(h.fake.state).zones = [{ id: zoneId(1), name: 'first', resources: 0 }];
    expect((await h.run(zonesCheck)).metrics['zones.checked']).toBe(1);
    fakeAdmin(h.fake.state).zones?.push({ id: zoneId(2), name: 'added later', resources: 0 });
    const r = await h.run(zonesCheck);
    expect(r.metrics['zones.checked']).toBe(2);
    expect(r.evidence.join('\n')).toContain('added later');
  });

  it('caracal.zones stays an explicit subset, and a zone the API does not know fails with its remedy', async () => {
    h = await startHarness({ caracal: { zones: [zoneId(2), zoneId(9)] } });
    fakeAdmin(h.fake.state).zones = [1, 2, 3].map((i) => ({ id: zoneId(i), name: `zone ${i}`, resources: 1 }));
    const r = await h.run(zonesCheck);
    expect(r.status).toBe('fail');
    expect(r.metrics).toMatchObject({ 'zones.source': 'config', 'zones.checked': 2, 'zones.ok': 1 });
    expect(r.summary).toContain(`zone ${zoneId(9)}: lookup: not found (HTTP 404)`);
    expect(r.remedy).toContain('fix caracal.zones');
    expect(h.fake.requests.some((q) => q.path === `/v1/zones/${zoneId(1)}`)).toBe(false);
  });

  it('no visible zone is a warning; no token and no configured zones is a failure', async () => {
    h = await startHarness();
    fakeAdmin(h.fake.state).zones = [];
    expect((await h.run(zonesCheck)).status).toBe('warn');
    await h.close();
    h = await startHarness({ env: {} });
    const r = await h.run(zonesCheck);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('neither CARACAL_API_READ_TOKEN nor CARACAL_ADMIN_TOKEN is set');
  });

  it('sts.jwks and sts.policy check the discovered zones and their active policy sets', async () => {
    h = await startHarness();
    const [a, b] = [zoneId(4), zoneId(5)];
    fakeAdmin(h.fake.state).zones = [
      { id: a, name: 'a', resources: 0 },
      { id: b, name: 'b', resources: 0, policySets: [{ id: 'never-activated', name: 'draft', active_version_id: null }] },
    ];
    h.fake.state.sts[0].jwks = { [a]: 1, [b]: 'no_signing_key' };
    h.fake.state.policySets[`${a}/ps-a`] = activationBody(a, 'ps-a', {
      propagation_status: 'waiting_for_sts',
      sts: { state: 'not_loaded' },
    });
    const [jwks, policy] = await Promise.all([h.run(stsJwks), h.run(stsPolicy)]);
    expect(jwks.status).toBe('fail');
    expect(jwks.metrics['zones.checked']).toBe(2);
    expect(jwks.summary).toContain(`zone ${b}: no signing key`);
    expect(policy.status).toBe('fail');
    // Only the active set is judged; the never-activated draft is not "unloaded".
    expect(policy.metrics).toMatchObject({ 'policySets.checked': 1, 'policySets.loaded': 0 });
    expect(policy.summary).toContain('policy set ps-a');
    expect(policy.summary).not.toContain('never-activated');
  });
});
