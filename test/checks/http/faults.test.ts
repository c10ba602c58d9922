// Every HTTP check must answer `fail` (a verdict), never `error`, never `pass` and never a hang, when Caracal's
// services refuse connections, never answer, answer 500, or answer a 200 that is not JSON.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditReplay } from '../../../src/checks/http/audit-replay.ts';
import { auditTamper } from '../../../src/checks/http/audit-tamper.ts';
import { gatewayRevocation } from '../../../src/checks/http/gateway-revocation.ts';
import { servicesReady } from '../../../src/checks/http/services-ready.ts';
import { stsJwks } from '../../../src/checks/http/sts-jwks.ts';
import { stsPolicy } from '../../../src/checks/http/sts-policy.ts';
import { SERVICES } from '../../../src/config.ts';
import { buildContext, runOne } from '../../helpers/check-context.ts';
import { blackHole, closedPort } from '../../helpers/faults.ts';
import { activationBody, type Fault } from '../../../src/sandbox/fake-caracal.ts';
import { allText, startHarness, TOKENS_ENV } from './harness.ts';

const CHECKS = [servicesReady, stsJwks, auditReplay, gatewayRevocation, stsPolicy, auditTamper];
const SCOPE = { zones: ['zone-1'], policySets: [{ zoneId: 'zone-1', policySetId: 'ps-1' }] };
const everywhere = (url: string) => Object.fromEntries(SERVICES.map((s) => [s, [url]]));

describe.each(CHECKS)('$id under faults', (check) => {
  let hole: Awaited<ReturnType<typeof blackHole>>;
  beforeAll(async () => {
    hole = await blackHole();
  });
  afterAll(() => hole.close());

  it('fails when every service refuses connections', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const t = buildContext({ caracal: { services: everywhere(url), ...SCOPE } }, TOKENS_ENV);
    const r = await runOne(check, t.ctx, 3000);
    await t.close();
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('connection refused');
  });

  it('fails within the HTTP timeout when every service accepts and never answers', async () => {
    const t = buildContext(
      { caracal: { services: everywhere(hole.url), ...SCOPE }, checks: { httpTimeoutMs: 300, readyAnswerTimeoutMs: 300 } },
      TOKENS_ENV,
    );
    const r = await runOne(check, t.ctx, 3000);
    await t.close();
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('no answer within 300 ms');
    // sts.policy may ask the API and STS one after the other; still far below the executor's 3 s.
    expect(r.durationMs).toBeLessThan(1500);
  });

  it("fails on the executor's deadline when the HTTP timeout is longer", async () => {
    const t = buildContext({ caracal: { services: everywhere(hole.url), ...SCOPE }, checks: { httpTimeoutMs: 10_000 } }, TOKENS_ENV);
    const r = await runOne(check, t.ctx, 300);
    await t.close();
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('No answer within 300 ms');
    expect(r.durationMs).toBeLessThan(1000);
  });

  it.each<[Fault, RegExp]>([
    ['http500', /HTTP 500/],
    ['malformed', /not JSON|unexpected body/],
    ['hang', /no answer within 200 ms/],
  ])('fails (never passes, never errors) when every pod has fault %s', async (fault, shown) => {
    const h = await startHarness({ caracal: SCOPE, httpTimeoutMs: 200, readyAnswerTimeoutMs: 200 });
    for (const s of SERVICES) for (const pod of h.fake.state[s]) pod.fault = fault;
    h.fake.state.sts[0].jwks['zone-1'] = 1;
    h.fake.state.policySets['zone-1/ps-1'] = activationBody('zone-1', 'ps-1');
    const r = await h.run(check, 3000);
    await h.close();
    expect(r.status).toBe('fail');
    expect(allText(r)).toMatch(shown);
    expect(r.error).toBeUndefined();
  });

  it('passes on the healthy fake deployment, and never puts a token in what it returns', async () => {
    const h = await startHarness({ caracal: SCOPE });
    h.fake.state.sts[0].jwks['zone-1'] = 2;
    h.fake.state.policySets['zone-1/ps-1'] = activationBody('zone-1', 'ps-1');
    // Straight from run(), before the executor's scrubber, so a leak would show.
    const outcome = await check.run(h.ctx, new AbortController().signal);
    const r = await h.run(check);
    await h.close();
    expect(outcome.status).toBe('pass');
    expect(r.status).toBe('pass');
    const raw = JSON.stringify(outcome);
    for (const token of Object.values(TOKENS_ENV)) expect(raw).not.toContain(token);
    expect(h.fake.requests.every((q) => q.method === 'GET')).toBe(true);
  });
});
