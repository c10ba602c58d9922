import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { coalesce } from '../../src/reports/coalesce.ts';

/** A flush the test finishes when it says so (an awaited event), with the fake clock's time of each start. */
function controlledFlush() {
  const starts: number[] = [];
  const pending: (() => void)[] = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  const flush = () => {
    starts.push(Date.now());
    maxConcurrent = Math.max(maxConcurrent, ++concurrent);
    return new Promise<void>((resolve) => pending.push(() => (concurrent--, resolve())));
  };
  return { flush, starts, finishOne: () => pending.shift()?.(), maxConcurrent: () => maxConcurrent };
}

describe('coalesce', () => {
  // A controllable clock: Date.now and setTimeout move only when the test advances them.
  beforeEach(() => void vi.useFakeTimers({ now: new Date('2026-11-28T12:00:00Z') }));
  afterEach(() => void vi.useRealTimers());

  it('turns a burst of pokes into one flush per interval, one at a time, plus the final one', async () => {
    const f = controlledFlush();
    const c = coalesce(100, f.flush, () => undefined);
    for (let i = 0; i < 50; i++) c.poke();
    await vi.advanceTimersByTimeAsync(0);
    expect(f.starts).toHaveLength(1); // the burst: one flush, at once
    for (let i = 0; i < 50; i++) c.poke(); // changes while it is in flight
    await vi.advanceTimersByTimeAsync(500);
    expect(f.starts).toHaveLength(1); // never two at a time, however long the flush takes
    f.finishOne();
    await vi.advanceTimersByTimeAsync(0);
    expect(f.starts).toHaveLength(2); // the interval has passed: the pending change goes out at once
    c.poke();
    await vi.advanceTimersByTimeAsync(0);
    f.finishOne();
    await vi.advanceTimersByTimeAsync(99);
    expect(f.starts).toHaveLength(2); // within the interval of the last flush: held back
    await vi.advanceTimersByTimeAsync(1);
    expect(f.starts).toHaveLength(3);
    expect(f.starts[2] - f.starts[1]).toBe(100);
    f.finishOne();
    c.poke();
    const finished = c.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(f.starts).toHaveLength(4); // the final state, without waiting for the interval
    f.finishOne();
    await finished;
    expect(c.flushes()).toBe(4);
    expect(f.maxConcurrent()).toBe(1);
  });

  it('always flushes the final state even with no pokes, and reports flush errors without throwing', async () => {
    const errors: unknown[] = [];
    const c = coalesce(
      1000,
      () => Promise.reject(new Error('slack down')),
      (e) => errors.push(e),
    );
    await c.finish();
    expect(c.flushes()).toBe(1);
    expect(errors).toHaveLength(1);
  });
});
