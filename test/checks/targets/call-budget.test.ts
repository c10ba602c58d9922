// Issue 18: the bot counts its own calls per Caracal endpoint, per wall-clock minute as Caracal does, refuses to
// send past its budget, and says whose doing a 429 is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeReady } from '../../../src/checks/http/ready-probe.ts';
import { CallBudgetExceeded, createCallBudget } from '../../../src/checks/targets/call-budget.ts';
import { createHttpTarget } from '../../../src/checks/targets/http.ts';
import { startFakeCaracal, type FakeCaracal } from '../../../src/sandbox/fake-caracal.ts';
import { testConfig } from '../../helpers/check-context.ts';
import { fakeContext } from '../../helpers/slack.ts';

describe('call budget per Caracal endpoint', () => {
  let fake: FakeCaracal;
  let clock = Date.parse('2026-11-30T03:12:00.000Z');
  const now = () => new Date(clock);

  beforeAll(async () => {
    fake = await startFakeCaracal({ now: () => clock });
  });
  afterAll(async () => {
    await fake.close();
  });

  const sent = (service: 'api' | 'coordinator', path: string) =>
    fake.requests.filter((r) => r.service === service && r.path === path).length;

  it('sends at most the budget to one /ready per minute, then refuses without calling; the next minute it sends again', async () => {
    const budget = createCallBudget({ readyPerMinute: 3, coordinatorPerMinute: 500, coordinatorBases: fake.urls.coordinator, now });
    const http = createHttpTarget({ timeoutMs: 2000, budget });
    const url = `${fake.urls.api[0]}/ready`;
    const before = sent('api', '/ready');
    for (let i = 0; i < 3; i++) expect((await http.request(url)).status).toBe(200);
    await expect(http.request(url)).rejects.toBeInstanceOf(CallBudgetExceeded);
    await expect(http.request(url)).rejects.toThrow(/not asked: the bot already made 3 calls to \/ready of .* this minute/);
    expect(sent('api', '/ready') - before).toBe(3);

    clock += 60_000;
    expect((await http.request(url)).status).toBe(200);
    expect(sent('api', '/ready') - before).toBe(4);
  });

  it('counts every Coordinator route but /health against the Coordinator budget', async () => {
    const budget = createCallBudget({ readyPerMinute: 100, coordinatorPerMinute: 2, coordinatorBases: fake.urls.coordinator, now });
    const http = createHttpTarget({ timeoutMs: 2000, budget });
    const base = fake.urls.coordinator[0];
    await http.request(`${base}/health`);
    await http.request(`${base}/ready`);
    await http.request(`${base}/stats`);
    await expect(http.request(`${base}/ready`)).rejects.toThrow(/the Coordinator at/);
    expect((await http.request(`${base}/health`)).status).toBe(200);
  });

  it("a 429 that is not the bot's doing says how few calls this replica made; a refused call fails the pod without blaming it", async () => {
    const config = testConfig({ caracal: { services: { api: fake.urls.api } } });
    const budget = createCallBudget({ readyPerMinute: 1, coordinatorPerMinute: 500, coordinatorBases: [], now });
    const ctx = { ...fakeContext(config), http: createHttpTarget({ timeoutMs: 2000, budget }) };
    clock += 60_000;
    fake.state.api[0].fault = 'rate_limited';
    const limited = await probeReady(ctx, 'api', fake.urls.api[0], AbortSignal.timeout(2000));
    expect(limited.status).toBe('fail');
    expect(limited.remedy).toMatch(/Not the bot alone: this replica made 1 of the 120 calls/);
    fake.state.api[0].fault = 'none';

    const refused = await probeReady(ctx, 'api', fake.urls.api[0], AbortSignal.timeout(2000));
    expect(refused.status).toBe('fail');
    expect(refused.line).toMatch(/not asked: the bot already made 1 calls/);
    expect(refused.matrix ?? []).toEqual([]);
  });
});
