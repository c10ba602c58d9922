// admin.config and admin.auth: a missing, wrong or unusable admin token reads as exactly that.
import { afterEach, describe, expect, it } from 'vitest';
import { adminAuth, adminConfig } from '../../../src/checks/http/admin-auth.ts';
import { FAKE_METRICS_BEARER } from '../../../src/sandbox/fake-caracal.ts';
import { allText, startHarness, TOKENS_ENV, type Harness } from './harness.ts';

describe('admin.config and admin.auth', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('pass with the deployment token, asking every API pod', async () => {
    h = await startHarness({ pods: { api: 2 } });
    const [config, auth] = await Promise.all([h.run(adminConfig), h.run(adminAuth)]);
    expect([config.status, auth.status]).toEqual(['pass', 'pass']);
    expect(auth.metrics).toMatchObject({ 'pods.checked': 2, 'pods.accepted': 2 });
    expect(
      h.fake.requests
        .filter((q) => q.path === '/v1/zones')
        .map((q) => q.pod)
        .sort(),
    ).toEqual([0, 1]);
  });

  it('without a token: the configuration check says which variable, and the call is not made', async () => {
    h = await startHarness({ env: { CARACAL_METRICS_BEARER: FAKE_METRICS_BEARER } });
    const [config, auth] = await Promise.all([h.run(adminConfig), h.run(adminAuth)]);
    expect(config.status).toBe('fail');
    expect(config.summary).toContain('CARACAL_ADMIN_TOKEN is not set');
    expect(auth.status).toBe('fail');
    expect(h.fake.requests.some((q) => q.path.startsWith('/v1/'))).toBe(false);
  });

  it('a wrong or revoked token is reported as rejected (401 invalid_admin_token), and never shown', async () => {
    const wrong = 'wrong-admin-token-0a9b8c';
    h = await startHarness({ env: { ...TOKENS_ENV, CARACAL_ADMIN_TOKEN: wrong } });
    const [config, auth] = await Promise.all([h.run(adminConfig), h.run(adminAuth)]);
    expect(config.status).toBe('pass');
    expect(auth.status).toBe('fail');
    expect(auth.summary).toContain('admin token rejected (HTTP 401)');
    expect(allText(auth)).not.toContain(wrong);
  });

  it('an API that cannot serve the call is not blamed on the token', async () => {
    // Postgres down: admin tokens are rows there, so the API answers 500 internal_error at once.
    h = await startHarness();
    h.fake.state.deployment.postgresDown = true;
    const r = await h.run(adminAuth);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('the admin call did not answer');
    expect(r.summary).toContain('internal_error');
    expect(r.summary).not.toContain('rejected');
  });

  it('no API URL configured fails the configuration check', async () => {
    h = await startHarness({ caracal: { services: { api: [] } } });
    const r = await h.run(adminConfig);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('caracal.services.api is empty');
  });
});
