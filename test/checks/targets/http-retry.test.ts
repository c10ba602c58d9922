// The HTTP target's retries, through a simulated ingress in front of a simulated Caracal pod: a reset or an
// ingress 502/503 is tried again; Caracal's own answers (a JSON 503, a 4xx) and POSTs never are; retries stay
// within the request's budget and stop when the check's signal aborts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpTarget } from '../../../src/checks/targets/http.ts';
import { TargetError } from '../../../src/errors.ts';
import { startFakeCaracal, type FakeCaracal } from '../../../src/sandbox/fake-caracal.ts';
import { startFakeIngress, type FakeIngress } from '../../../src/sandbox/fake-ingress.ts';

describe('HTTP target retries through an ingress', () => {
  let fake: FakeCaracal;
  let ingress: FakeIngress;
  const http = createHttpTarget({ timeoutMs: 3000, retryBaseMs: 10 });

  beforeAll(async () => {
    fake = await startFakeCaracal();
    ingress = await startFakeIngress({ target: fake.urls.api[0] });
  });
  afterAll(async () => {
    await ingress.close();
    await fake.close();
  });
  beforeEach(() => {
    ingress.resetNext = 0;
    ingress.failNext = { count: 0, status: 502 };
    ingress.seen = 0;
    fake.state.api[0].notReady = null;
  });

  it('retries a connection reset and returns the answer that followed', async () => {
    ingress.resetNext = 2;
    const res = await http.request(`${ingress.url}/ready`);
    expect({ status: res.status, body: res.json(), attempts: res.attempts, seen: ingress.seen }).toEqual({
      status: 200,
      body: { ok: true },
      attempts: 3,
      seen: 3,
    });
  });

  it.each([502, 503] as const)('retries an ingress %i page', async (status) => {
    ingress.failNext = { count: 2, status };
    const res = await http.request(`${ingress.url}/health`);
    expect({ status: res.status, attempts: res.attempts }).toEqual({ status: 200, attempts: 3 });
  });

  it("takes Caracal's own JSON 503 as the answer: not ready is not a transport failure", async () => {
    fake.state.api[0].notReady = 'postgres_unreachable';
    const res = await http.request(`${ingress.url}/ready`);
    expect({ status: res.status, attempts: res.attempts, seen: ingress.seen }).toEqual({ status: 503, attempts: 1, seen: 1 });
  });

  it('never retries a 4xx', async () => {
    ingress.failNext = { count: 3, status: 404 };
    const res = await http.request(`${ingress.url}/ready`);
    expect({ status: res.status, attempts: res.attempts, seen: ingress.seen }).toEqual({ status: 404, attempts: 1, seen: 1 });
  });

  it('never retries a POST: it may have acted before the reset', async () => {
    ingress.resetNext = 1;
    const err = await http.request(`${ingress.url}/internal/revocations/reload`, { method: 'POST' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetError);
    expect((err as Error).message).toMatch(/connection reset|other side closed|socket/i);
    expect(ingress.seen).toBe(1);
  });

  it('gives up with the last answer when the backoff would outlast the budget, and says how many attempts it made', async () => {
    // Backoffs of 200, 400, 800 ms: after three retries the next wait (1600 ms, doubled for the answer) cannot fit
    // in 2000 ms, however fast the machine, so at most 4 attempts even with maxAttempts 1000.
    const bounded = createHttpTarget({ timeoutMs: 2000, retryBaseMs: 200, maxAttempts: 1000 });
    ingress.failNext = { count: 1000, status: 502 };
    const res = await bounded.request(`${ingress.url}/ready`);
    expect(res.status).toBe(502);
    expect(res.attempts).toBeGreaterThanOrEqual(1);
    expect(res.attempts).toBeLessThanOrEqual(4);
    expect(ingress.seen).toBe(res.attempts);
  });

  it("stops retrying as soon as the check's signal aborts", async () => {
    const controller = new AbortController();
    // A backoff of 60 s: the test would time out if the retry waited for it.
    const slow = createHttpTarget({
      timeoutMs: 120_000,
      retryBaseMs: 60_000,
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        // The check times out right after this answer arrived, while the retry waits.
        const copy = new Response(await res.text(), { status: res.status, headers: res.headers });
        controller.abort();
        return copy;
      },
    });
    ingress.failNext = { count: 5, status: 503 };
    const res = await slow.request(`${ingress.url}/ready`, { signal: controller.signal });
    expect({ status: res.status, attempts: res.attempts, seen: ingress.seen }).toEqual({ status: 503, attempts: 1, seen: 1 });
  });

  it('sends identical GETs in flight at the same time once; one caller giving up does not cancel the others', async () => {
    const slow = await startFakeIngress({ target: fake.urls.api[0] });
    try {
      slow.delayFor = () => 200;
      const quitter = new AbortController();
      const reads = Promise.all([
        http.request(`${slow.url}/health`, { bearer: 'a' }),
        http.request(`${slow.url}/health`, { bearer: 'a', signal: quitter.signal }),
        http.request(`${slow.url}/health`, { bearer: 'b' }),
      ]);
      quitter.abort();
      const answers = await reads;
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
      // Same URL and bearer: one request; another bearer: its own.
      expect(slow.seen).toBe(2);
      await http.request(`${slow.url}/health`, { bearer: 'a' });
      expect(slow.seen).toBe(3);
    } finally {
      await slow.close();
    }
  });

  it('reports a reset that outlasts every attempt as a TargetError naming the attempts', async () => {
    ingress.resetNext = 10;
    const err = await createHttpTarget({ timeoutMs: 3000, retryBaseMs: 10, maxAttempts: 3 })
      .request(`${ingress.url}/ready`)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetError);
    expect((err as Error).message).toMatch(/after 3 attempts$/);
    expect(ingress.seen).toBe(3);
  });
});
