// Issue 18: single-flight with a short result cache; a joined result keeps the start of the run that produced it.
import { describe, expect, it } from 'vitest';
import { sharedCheckRunner, sharedSince } from '../../src/checks/shared-runner.ts';
import type { CheckDefinition } from '../../src/checks/types.ts';
import { testConfig } from '../helpers/check-context.ts';
import { fakeContext } from '../helpers/slack.ts';

function countingCheck(id: string): { check: CheckDefinition; runs: () => number; release: () => void } {
  let runs = 0;
  let release: () => void = () => undefined;
  const check: CheckDefinition = {
    id,
    title: id,
    gates: ['services'],
    reads: 'nothing',
    run: () => {
      runs++;
      return new Promise((r) => (release = () => r({ status: 'pass', summary: `run ${runs}` })));
    },
  };
  return { check, runs: () => runs, release: () => release() };
}

describe('shared check runner', () => {
  let clock = Date.parse('2026-11-30T03:12:04.000Z');
  const context = { ...fakeContext(testConfig()), now: () => new Date(clock) };

  it('joins a run in flight and a run finished within the cache window; runs again after it', async () => {
    const a = countingCheck('a.check');
    const runner = sharedCheckRunner({ context, timeoutMs: () => 5000, cacheMs: 10_000 });
    const first = runner.run([a.check]);
    clock += 1000;
    const second = runner.run([a.check]);
    a.release();
    const [[r1], [r2]] = await Promise.all([first, second]);
    expect(a.runs()).toBe(1);
    expect(r1.shared).toBe(false);
    expect(r2.shared).toBe(true);
    expect(sharedSince([r2])?.toISOString()).toBe('2026-11-30T03:12:04.000Z');

    clock += 9_000; // 9 s after it finished
    const [r3] = await runner.run([a.check]);
    expect(a.runs()).toBe(1);
    expect(r3.startedAt.toISOString()).toBe('2026-11-30T03:12:04.000Z');

    clock += 2_000; // past the window
    const fourth = runner.run([a.check]);
    a.release();
    const [r4] = await fourth;
    expect(a.runs()).toBe(2);
    expect(r4.shared).toBe(false);
  });
});
