// Group commit for saves (slack/save-batcher.ts): what arrives while a write is on its way goes into the next one,
// each caller learns its own batch's outcome, and a failed batch does not fail the next.
import { describe, expect, it } from 'vitest';
import { saveBatcher } from '../../src/slack/save-batcher.ts';

describe('saveBatcher', () => {
  it('writes what arrived in the same instant at once, and what came meanwhile in the next write', async () => {
    const writes: number[][] = [];
    let release: () => void = () => undefined;
    const save = saveBatcher<number>(async (batch) => {
      writes.push(batch);
      if (writes.length === 1) await new Promise<void>((r) => (release = r));
    });
    const first = [1, 2, 3].map((n) => save(n));
    await new Promise((r) => setImmediate(r));
    const second = [4, 5].map((n) => save(n));
    expect(writes).toEqual([[1, 2, 3]]);
    release();
    await Promise.all([...first, ...second]);
    expect(writes).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('rejects the callers of a failed write only, and writes the next batch', async () => {
    let calls = 0;
    const save = saveBatcher<string>((batch) => (++calls === 1 ? Promise.reject(new Error(`lost ${batch.join()}`)) : Promise.resolve()));
    const failed = save('a');
    await expect(failed).rejects.toThrow('lost a');
    await expect(save('b')).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });
});
