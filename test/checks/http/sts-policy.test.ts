import { fakeAdmin } from '../../../src/sandbox/fake-caracal-admin.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { stsPolicy } from '../../../src/checks/http/sts-policy.ts';
import { closedPort } from '../../helpers/faults.ts';
import { buildContext, runOne } from '../../helpers/check-context.ts';
import { activationBody, FAKE_ADMIN_TOKEN, FAKE_API_READ_TOKEN } from '../../../src/sandbox/fake-caracal.ts';
import { startHarness, TOKENS_ENV, type Harness, type HarnessOptions } from './harness.ts';

const Z = 'zone-1';
const PS = 'ps/1';
const KEY = `${Z}/${PS}`;
const SETS = { policySets: [{ zoneId: Z, policySetId: PS }] };

let h: Harness | undefined;
afterEach(() => h?.close());
async function start(opts: HarnessOptions = {}, activation: Record<string, unknown> = {}) {
  h = await startHarness({ caracal: SETS, ...opts });
  h.fake.state.policySets[KEY] = activationBody(Z, PS, activation);
  return h;
}

describe('sts.policy', () => {
  it('passes when the policy set is loaded and STS has no compile errors, ignoring max_policy_age', async () => {
    const { fake, run } = await start();
    fake.state.sts[0].maxPolicyAgeSeconds = 999_999;
    const r = await run(stsPolicy);
    expect(r.status).toBe('pass');
    expect(r.metrics).toEqual({ 'policySets.checked': 1, 'policySets.loaded': 1 });
    expect(r.evidence.join('\n')).toContain('max_policy_age_seconds=999999 (information only)');
    const asked = fake.requests.find((q) => q.service === 'api');
    // The slash in the policy set ID is encoded, so it stays one path segment.
    expect(asked).toMatchObject({
      path: '/v1/zones/zone-1/policy-sets/ps%2F1/activation-status',
      authorization: `Bearer ${FAKE_API_READ_TOKEN}`,
    });
    // Never the global write token that also reloads Gateways.
    expect(fake.requests.some((q) => q.authorization === `Bearer ${FAKE_ADMIN_TOKEN}`)).toBe(false);
  });

  // Each cause as Caracal v1.0 really reports it (caracal-ops.md §15.1.6, §15.2.6), with its own finding and remedy.
  const OLD_STS = { state: 'loaded', loaded: true, policy_set_version_id: 'ver-1' };
  it.each([
    ['not_active', { propagation_status: 'waiting_for_activation' }, /activate the intended version/],
    [
      'outbox_pending',
      { propagation_status: 'waiting_for_outbox', outbox: { state: 'pending', attempts: 4, last_error: 'READONLY' } },
      /restore Redis.*gives up after 100/,
    ],
    // The API cannot see its own dead rows: a dead event is "pending" with 100 attempts.
    [
      'outbox_dead',
      { propagation_status: 'waiting_for_outbox', outbox: { state: 'pending', attempts: 100, last_error: 'ECONNREFUSED' } },
      /died in the API outbox.*break-glass SQL/,
    ],
    // A compile error keeps the previous bundle: STS reports the old version loaded.
    [
      'compile_rejected',
      { propagation_status: 'waiting_for_sts', sts: OLD_STS },
      /previous version ver-1.*does not compile.*compile_errors/,
    ],
    ['sts_not_loaded', { propagation_status: 'waiting_for_sts', sts: { state: 'not_loaded', loaded: false } }, /opa-engine/],
    [
      'sts_status_unknown',
      { propagation_status: 'waiting_for_sts', sts: { state: 'unreachable', detail: 'ECONNREFUSED' } },
      /GATEWAY_STS_HMAC_KEY/,
    ],
    ['outbox_dead', { propagation_status: 'failed', outbox: { state: 'dead', attempts: 100, last_error: 'x' } }, /died in the API outbox/],
    [
      'outbox_mismatch',
      { propagation_status: 'failed', outbox: { state: 'mismatch', attempts: 1, last_error: null } },
      /belongs to another policy set or version/,
    ],
    [
      'sts_status_failed',
      { propagation_status: 'failed', sts: { state: 'failed', detail: 'invalid signature' } },
      /status call to STS failed.*GATEWAY_STS_HMAC_KEY/,
    ],
    ['unknown', { propagation_status: 'something_new' }, /Unknown propagation_status/],
  ])('names the cause %s with its own remedy', async (cause, patch, remedy) => {
    const { run } = await start({}, patch);
    const r = await run(stsPolicy);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain(
      `policy set ${PS} in zone ${Z}: not loaded (${cause}): propagation_status=${String(patch.propagation_status)}`,
    );
    expect(r.summary).toMatch(/outbox\.state=\w+ attempts=\d+/);
    expect(r.summary).toMatch(/sts\.state=\w+/);
    expect(r.remedy).toMatch(remedy);
    expect(r.matrix).toEqual(['sts']);
    expect(r.metrics['policySets.loaded']).toBe(0);
  });

  it('never blames compile errors for failed, and never says the API retries a dead event', async () => {
    const { run } = await start({}, { propagation_status: 'failed', sts: { state: 'failed' } });
    expect((await run(stsPolicy)).remedy).not.toMatch(/compile/);
    const h2 = await startHarness({ caracal: SETS });
    h2.fake.state.policySets[KEY] = activationBody(Z, PS, {
      propagation_status: 'waiting_for_outbox',
      outbox: { state: 'pending', attempts: 100, last_error: 'e' },
    });
    const r = await h2.run(stsPolicy);
    await h2.close();
    expect(r.remedy).not.toMatch(/retries with backoff/);
  });

  it('shows last_error from a dead outbox row', async () => {
    const { run } = await start(
      {},
      { propagation_status: 'waiting_for_outbox', outbox: { state: 'dead', attempts: 100, last_error: 'ECONNREFUSED 10.0.0.7:6379' } },
    );
    expect((await run(stsPolicy)).summary).toContain('outbox.state=dead attempts=100 last_error="ECONNREFUSED 10.0.0.7:6379"');
  });

  it.each([
    ['propagation_status missing', { propagation_status: undefined }],
    ['propagation_status not a string', { propagation_status: true }],
    ['outbox.attempts as a string', { outbox: { state: 'dispatched', attempts: '1' } }],
  ])('fails closed when the activation body has %s', async (_name, patch) => {
    const { run } = await start({}, patch);
    const r = await run(stsPolicy);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('activation status unknown');
  });

  it('without the read-only token, says what is missing and never falls back to the global admin token', async () => {
    const { fake, run } = await start({ env: { ...TOKENS_ENV, CARACAL_API_READ_TOKEN: '' } });
    const r = await run(stsPolicy);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('CARACAL_API_READ_TOKEN is not set');
    expect(r.remedy).toContain('never reads activation status with the global CARACAL_ADMIN_TOKEN');
    expect(fake.requests.filter((q) => q.service === 'api')).toEqual([]);
  });

  it('shows the read-token hint when the API rejects it (401 invalid_admin_token)', async () => {
    const { run } = await start({ env: { ...TOKENS_ENV, CARACAL_API_READ_TOKEN: 'wrong' } });
    const r = await run(stsPolicy);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('HTTP 401: API read token missing or rejected: set CARACAL_API_READ_TOKEN');
  });

  it('fails on a policy set the API does not know', async () => {
    const { fake, run } = await start();
    delete fake.state.policySets[KEY];
    const r = await run(stsPolicy);
    expect(r.status).toBe('fail');
    expect(r.remedy).toContain('the API does not know this zone/policy set');
  });

  it('asks the next API URL when the first does not answer', async () => {
    const { fake } = await start();
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const other = buildContext({ caracal: { ...SETS, services: { ...fake.urls, api: [dead, ...fake.urls.api] } } }, TOKENS_ENV);
    const r = await runOne(stsPolicy, other.ctx);
    await other.close();
    expect(r.status).toBe('pass');
    const onlyDead = buildContext({ caracal: { ...SETS, services: { ...fake.urls, api: [dead] } } }, TOKENS_ENV);
    const r2 = await runOne(stsPolicy, onlyDead.ctx);
    await onlyDead.close();
    expect(r2.status).toBe('fail');
    expect(r2.summary).toContain('activation status unknown: connection refused');
  });

  it('warns when no policy set is configured and none is active, but still judges compile errors', async () => {
    const { fake, run } = await start({ caracal: { policySets: [] } });
    fakeAdmin(fake.state).zones = [];
    let r = await run(stsPolicy);
    expect(r.status).toBe('warn');
    expect(r.summary).toContain('Policy activation not checked: no active policy set found');
    fake.state.sts[0].compileErrors = 1;
    r = await run(stsPolicy);
    expect(r.status).toBe('fail');
  });

  it('judges compile errors against a per-pod baseline: new → fail, still recent → fail, settled → warn, restart → reset', async () => {
    const { fake, run, setNow } = await start();
    const t0 = Date.parse('2026-11-28T12:00:00Z');
    setNow(t0);
    fake.state.sts[0].compileErrors = 2;
    let r = await run(stsPolicy);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('no earlier reading');
    setNow(t0 + 30_000);
    r = await run(stsPolicy);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('less than two STS polls ago');
    setNow(t0 + 180_000);
    r = await run(stsPolicy);
    expect(r.status).toBe('warn');
    expect(r.summary).toContain('unchanged since 2026-11-28T12:00:00.000Z');
    expect(r.remedy).toContain('stays non-zero until the STS pod restarts');
    fake.state.sts[0].compileErrors = 3;
    setNow(t0 + 600_000);
    r = await run(stsPolicy);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('up from 2');
    expect(r.remedy).toContain('keeps the previous one');
    fake.state.sts[0].compileErrors = 0;
    setNow(t0 + 700_000);
    expect((await run(stsPolicy)).status).toBe('pass');
  });

  it('during a run, judges compile errors against the residue baseline: old → pass as information, rise → fail, restart → all new', async () => {
    const { fake, ctx, run } = await start();
    const takenAt = '2026-11-28T03:01:00.000Z';
    fake.state.sts[0].compileErrors = 3;
    ctx.incident = {
      startedAt: new Date(takenAt),
      residue: { v: 1, takenAt, stsCompileErrors: { [fake.urls.sts[0]]: 3 }, tamper: {}, unread: [] },
    };
    let r = await run(stsPolicy);
    expect(r.status).toBe('pass');
    expect(r.evidence.join('\n')).toContain('3 compile errors from before the incident (baseline 03:01 UTC), none new');
    fake.state.sts[0].compileErrors = 4;
    r = await run(stsPolicy);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('1 new since the baseline 03:01 UTC (3 before)');
    fake.state.sts[0].compileErrors = 1;
    r = await run(stsPolicy);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('since STS restarted');
  });

  it('fails closed when opa.compile_errors is missing', async () => {
    const { fake, run } = await start();
    fake.state.sts[0].transform = (_p, body) => ({ ...(body as object), opa: { eval_errors: 0 } });
    const r = await run(stsPolicy);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('compile errors unknown');
    expect(r.summary).toContain('opa.compile_errors');
  });
});
