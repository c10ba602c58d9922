// The pass loop the outbox dispatcher and the Home publisher share: one pass at a time, and requests that come
// during a pass are answered by one more pass after it.
import { describe, expect, it } from 'vitest';
import { passLoop } from '../../src/delivery/pass-loop.ts';

function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

describe('passLoop', () => {
  it('answers any number of requests during a pass with one more pass, never two at once', async () => {
    const first = gate();
    let passes = 0;
    let concurrent = 0;
    let most = 0;
    const loop = passLoop(
      async () => {
        passes++;
        most = Math.max(most, ++concurrent);
        if (passes === 1) await first.wait;
        concurrent--;
      },
      () => undefined,
      () => false,
    );
    const runs = [loop.run(), loop.run(), loop.run(), loop.run()];
    first.open();
    await Promise.all(runs);
    expect([passes, most, loop.inFlight()]).toEqual([2, 1, undefined]);
  });

  it('runs again when a pass asks for it, until stopped; a failed pass is reported and the loop goes on', async () => {
    const failures: unknown[] = [];
    let passes = 0;
    let stopped = false;
    const loop = passLoop(
      async () => {
        passes++;
        loop.again();
        await Promise.resolve();
        if (passes === 2) throw new Error('pass 2 failed');
        if (passes === 4) stopped = true;
      },
      (err) => failures.push(err),
      () => stopped,
    );
    await loop.run();
    expect(passes).toBe(4);
    expect(failures).toEqual([new Error('pass 2 failed')]);
  });
});
