// clock.skew: the bot clock against the API's Date header; warn at 2 s, fail at 30 s (Caracal's thresholds).
// The simulated API serves the real Date header; the bot's clock is the one moved, as on a drifting host.
import { afterEach, describe, expect, it } from 'vitest';
import { clockSkew } from '../../../src/checks/http/clock-skew.ts';
import { startHarness, type Harness } from './harness.ts';

describe('clock.skew', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('passes with the bot on the same clock as the API', async () => {
    h = await startHarness();
    const r = await h.run(clockSkew);
    expect(r.status).toBe('pass');
    expect(r.metrics['pods.measured']).toBe(1);
  });

  it('warns when the bot clock is ahead by more than the warning (10 s)', async () => {
    h = await startHarness();
    h.setNow(Date.now() + 10_000);
    const r = await h.run(clockSkew);
    expect(r.status).toBe('warn');
    expect(r.summary).toMatch(/bot clock ahead of the API/);
    expect(r.remedy).toContain('NTP');
  });

  it('fails when the bot clock is behind by more than 30 s (5 minutes)', async () => {
    h = await startHarness();
    h.setNow(Date.now() - 300_000);
    const r = await h.run(clockSkew);
    expect(r.status).toBe('fail');
    expect(r.summary).toMatch(/~29\d\.\d s \(bot clock behind the API/);
    expect(r.remedy).toContain('±60 s');
  });

  it('follows configured thresholds', async () => {
    h = await startHarness({ thresholds: { clockSkewWarnSeconds: 60, clockSkewFailSeconds: 600 } });
    h.setNow(Date.now() + 40_000);
    expect((await h.run(clockSkew)).status).toBe('pass');
  });

  it('a pod that does not answer leaves the skew unmeasured: a warning, not a verdict on the clock', async () => {
    h = await startHarness({ httpTimeoutMs: 300 });
    h.fake.state.api[0].fault = 'hang';
    const r = await h.run(clockSkew);
    expect(r.status).toBe('warn');
    expect(r.summary).toContain('clock skew not measured');
  });
});
