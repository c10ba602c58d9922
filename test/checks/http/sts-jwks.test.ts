import { afterEach, describe, expect, it } from 'vitest';
import { stsJwks } from '../../../src/checks/http/sts-jwks.ts';
import { startHarness, type Harness, type HarnessOptions } from './harness.ts';

let h: Harness | undefined;
afterEach(() => h?.close());
const start = async (opts: HarnessOptions) => (h = await startHarness(opts));

describe('sts.jwks', () => {
  it('passes when every STS pod serves keys for every zone, and URL-encodes the zone', async () => {
    const { fake, run } = await start({ pods: { sts: 2 }, caracal: { zones: ['zone-1', 'zone a/b&c'] } });
    for (const pod of fake.state.sts) Object.assign(pod.jwks, { 'zone-1': 2, 'zone a/b&c': 1 });
    const r = await run(stsJwks);
    expect(r.status).toBe('pass');
    expect(r.evidence).toHaveLength(4);
    expect(r.evidence.join('\n')).toContain('kid sk-zone-1-0, sk-zone-1-1');
    expect(r.metrics).toEqual({ 'zones.checked': 2, 'jwks.ok': 4 });
    expect(fake.requests.map((q) => q.path)).toEqual(Array(4).fill('/.well-known/jwks.json'));
  });

  it('fails on 404: the zone has no signing key', async () => {
    const { run } = await start({ caracal: { zones: ['zone-1'] } });
    const r = await run(stsJwks);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('zone zone-1: no signing key (HTTP 404, with Postgres and STS ready)');
    expect(r.remedy).toContain('signing-key/rotate');
    expect(r.matrix).toEqual(['sts']);
  });

  it('does not call a 404 a missing key while STS is not ready (its key query fails with Postgres), and never suggests rotation', async () => {
    const { fake, run } = await start({ caracal: { zones: ['zone-1'] } });
    fake.state.sts[0].jwks['zone-1'] = 2;
    fake.state.deployment.postgresDown = true;
    const r = await run(stsJwks);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('JWKS 404 while STS /ready answered 503');
    expect(r.summary).toContain('not a missing key');
    expect(r.remedy).toContain('do not rotate keys now');
    expect(r.remedy).not.toContain('signing-key/rotate');
    expect(r.matrix).toEqual(['sts', 'postgres']);
  });

  it('fails on 500: no key decrypts', async () => {
    const { fake, run } = await start({ caracal: { zones: ['zone-1'] } });
    fake.state.sts[0].jwks['zone-1'] = 'no_key_decrypts';
    const r = await run(stsJwks);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('no key decrypts (HTTP 500)');
    expect(r.remedy).toContain('SECRET_STORE_KEK');
  });

  it('fails on a 200 with an empty keys array', async () => {
    const { fake, run } = await start({ caracal: { zones: ['zone-1'] } });
    fake.state.sts[0].jwks['zone-1'] = 0;
    const r = await run(stsJwks);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('JWKS has no keys');
  });

  it('fails only the pod that lacks the key when another pod has it', async () => {
    const { fake, run } = await start({ pods: { sts: 2 }, caracal: { zones: ['zone-1'] } });
    fake.state.sts[0].jwks['zone-1'] = 1;
    const r = await run(stsJwks);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain(`${fake.urls.sts[1]} zone zone-1: no signing key`);
    expect(r.summary).not.toContain(`${fake.urls.sts[0]} zone`);
  });

  it.each([
    ['keys missing', () => ({ jwks: [] })],
    ['keys not an array', () => ({ keys: { kid: 'a' } })],
    ['a key without kid', () => ({ keys: [{ kty: 'EC' }] })],
  ])('fails when the 200 body has %s', async (_name, body) => {
    const { fake, run } = await start({ caracal: { zones: ['zone-1'] } });
    fake.state.sts[0].jwks['zone-1'] = 1;
    fake.state.sts[0].transform = body;
    const r = await run(stsJwks);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('cannot be verified');
  });

  it('warns when no zone is configured', async () => {
    const { run } = await start({});
    const r = await run(stsJwks);
    expect(r.status).toBe('warn');
    expect(r.summary).toBe('JWKS not checked: set caracal.zones to the zone IDs whose tokens must verify.');
  });

  it('fails when zones are configured but no STS URL is', async () => {
    const { run } = await start({ caracal: { zones: ['zone-1'], services: { sts: [] } } });
    const r = await run(stsJwks);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('caracal.services.sts is empty');
  });
});
