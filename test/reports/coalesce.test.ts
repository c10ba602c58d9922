import { describe, expect, it } from 'vitest';
import { coalesce } from '../../src/reports/coalesce.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('coalesce', () => {
  it('turns a burst of pokes into one flush per interval plus the final one', async () => {
    let flushes = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const c = coalesce(100, async () => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      flushes++;
      await sleep(20);
      concurrent--;
    }, () => undefined);
    for (let i = 0; i < 50; i++) c.poke();
    await sleep(30);
    expect(flushes).toBe(1);
    await c.finish();
    expect(flushes).toBe(2);
    expect(maxConcurrent).toBe(1);
  });

  it('always flushes the final state even with no pokes, and reports flush errors without throwing', async () => {
    const errors: unknown[] = [];
    const c = coalesce(1000, () => Promise.reject(new Error('slack down')), (e) => errors.push(e));
    await c.finish();
    expect(c.flushes()).toBe(1);
    expect(errors).toHaveLength(1);
  });
});
