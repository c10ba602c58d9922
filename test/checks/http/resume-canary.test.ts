// resume.canary: an allowed and a denied request through the Gateway, both decisions found in Audit by request ID
// (caracal-ops.md §12). The simulated Gateway decides on X-Caracal-Resource and records each decision where Audit's
// search finds it; a canary that cannot run fails.
import { afterEach, describe, expect, it } from 'vitest';
import { resumeCanary } from '../../../src/checks/http/resume-canary.ts';
import { allText, startHarness, TOKENS_ENV, type Harness } from './harness.ts';

const MANDATE = 'canary-mandate-7d1f';
const CANARY = {
  zoneId: 'zone-1',
  allow: { path: '/orders', headers: { 'x-caracal-resource': 'canary-allowed' }, expectStatus: 200 },
  deny: { path: '/orders', headers: { 'x-caracal-resource': 'canary-denied' }, expectStatus: 403 },
  lookupTimeoutMs: 2000,
};

describe('resume.canary', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  const start = async (canary: unknown = CANARY, env: Record<string, string> = { ...TOKENS_ENV, CARACAL_CANARY_BEARER: MANDATE }) => {
    h = await startHarness({ caracal: canary ? { canary } : {}, env, tokens: { canaryMandate: MANDATE } });
    return h;
  };

  it('passes when the Gateway allows and denies as configured and Audit holds both decisions', async () => {
    const { run, fake } = await start();
    const r = await run(resumeCanary);
    expect([r.status, r.summary]).toEqual(['pass', expect.stringContaining('Audit holds both decisions') as string]);
    expect(allText(r)).toMatch(/allow canary caracal-chatops-canary-allow-[\w-]+: found in Audit with decision allow/);
    expect(allText(r)).toMatch(/deny canary caracal-chatops-canary-deny-[\w-]+: found in Audit with decision deny/);
    expect(fake.state.auditEvents.map((e) => e.decision).sort()).toEqual(['allow', 'deny']);
    expect(allText(r)).not.toContain(MANDATE);
  });

  it('fails when a decision never reaches Audit', async () => {
    const { run, fake } = await start();
    fake.state.gatewayPolicy.zoneId = 'another-zone'; // recorded, but not where the canary looks
    const r = await run(resumeCanary, 8000);
    expect(r.status).toBe('fail');
    expect(allText(r)).toMatch(/its decision is not in Audit/);
  });

  it('fails when the Gateway fails closed (stale snapshot) instead of deciding', async () => {
    const { run, fake } = await start();
    fake.state.gateway[0].snapshotAgeSeconds = 500;
    const r = await run(resumeCanary);
    expect(r.status).toBe('fail');
    expect(allText(r)).toMatch(/HTTP 503 revocation state unavailable, expected 200/);
  });

  it('a canary that cannot run is a failure: not configured, or no mandate', async () => {
    const none = await (await start(null)).run(resumeCanary);
    expect([none.status, none.summary]).toEqual(['fail', expect.stringContaining('caracal.canary is not configured') as string]);
    await h?.close();
    h = undefined;
    const noBearer = await (await start(CANARY, TOKENS_ENV)).run(resumeCanary);
    expect([noBearer.status, noBearer.summary]).toEqual(['fail', expect.stringContaining('CARACAL_CANARY_BEARER') as string]);
  });
});
