// Scheduled checks share one run per gate within the reuse window, and start a run only while its /ready calls fit
// this minute's share of the bot's one call budget (Caracal allows 120 per client per minute; a 429 would read as
// "not ready").
import { describe, expect, it } from 'vitest';
import { createCallBudget, readyCounts, withCallBudget } from '../../src/checks/targets/call-budget.ts';
import type { CheckResult } from '../../src/domain/check-result.ts';
import { createGateResults } from '../../src/schedule/gate-results.ts';
import { testConfig } from '../helpers/check-context.ts';
import { fakeContext } from '../helpers/slack.ts';
import { testClock } from './harness.ts';

const ok = () => Promise.resolve(new Response('{}'));

function source(readyPerRun: number, share: number, reuseMs = 60_000) {
  const clock = testClock(Date.parse('2026-11-30T03:00:10Z'));
  const budget = createCallBudget({ readyPerMinute: 100, coordinatorPerMinute: 500, coordinatorBases: [], now: clock.now });
  const send = budget.wrap(ok);
  let runs = 0;
  const results = createGateResults({
    run: async () => {
      runs++;
      for (let i = 0; i < readyPerRun; i++) await send('http://api:3000/ready');
      return [] as CheckResult[];
    },
    now: clock.now,
    budget,
    readyPerMinute: share,
    reuseMs,
  });
  const used = () => budget.counts().get('ready http://api:3000/ready') ?? 0;
  return { clock, used, results, runs: () => runs };
}

describe('scheduled gate results', () => {
  it('serve every watched run ticking within the reuse window with one check run', async () => {
    const s = source(0, 60);
    for (let i = 0; i < 100; i++) expect((await s.results.get('storage')).ok).toBe(true);
    expect(s.runs()).toBe(1);
    s.clock.advance(61_000);
    await s.results.get('storage');
    expect(s.runs()).toBe(2);
  });

  it('wait for the next minute when a run would spend more /ready calls than the budget has left', async () => {
    const s = source(25, 60, 0);
    for (const gate of ['services', 'resume', 'evidence'] as const) expect((await s.results.get(gate)).ok).toBe(true); // costs not known yet
    expect(s.used()).toBe(75);
    s.clock.advance(60_000); // 03:01:10: a new minute, each gate's cost now known (25)
    expect(s.used()).toBe(0);
    expect((await s.results.get('services')).ok).toBe(true); // 25
    expect((await s.results.get('resume')).ok).toBe(true); // 50
    expect(await s.results.get('evidence')).toEqual({ ok: false, retryInMs: 50_000 }); // 75 > 60: at 03:02
    expect(s.runs()).toBe(5);
    s.clock.advance(50_000);
    expect((await s.results.get('evidence')).ok).toBe(true);
  });

  it('count every /ready request the bot sends, and nothing else', async () => {
    const clock = testClock();
    const base = fakeContext(testConfig({}));
    const { context: ctx, budget } = withCallBudget(
      { ...base, http: { request: () => Promise.resolve({ status: 200, headers: {}, text: '{}' } as never) } },
      () => createCallBudget({ readyPerMinute: 100, coordinatorPerMinute: 500, coordinatorBases: [], now: clock.now }),
    );
    await ctx.http.request('http://api:3000/ready');
    await ctx.http.request('http://coordinator:4000/ready/');
    await ctx.http.request('http://sts:8080/metrics.json');
    await ctx.http.request('http://gateway:8080/ready?pod=1');
    const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    expect(sum(readyCounts(budget.counts()))).toBe(3);
    clock.advance(60_000);
    expect(sum(readyCounts(budget.counts()))).toBe(0);
  });
});
