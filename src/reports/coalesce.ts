// Coalesces many "something changed" signals into at most one flush per interval, one flush at a time,
// with a guaranteed final flush. Used to update a Slack message in place as check results arrive.

export interface Coalescer {
  /** Something changed; flush soon (at most once per interval). */
  poke(): void;
  /** Stop scheduling, wait for any flush in flight, run `before` (if given), then flush the final state once. */
  finish(before?: () => Promise<void>): Promise<void>;
  /** Number of flushes made so far. */
  flushes(): number;
}

export function coalesce(intervalMs: number, flush: () => Promise<void>, onError: (err: unknown) => void): Coalescer {
  let dirty = false;
  let timer: NodeJS.Timeout | undefined;
  let inflight: Promise<void> | undefined;
  let lastFlush = 0;
  let count = 0;
  let finished = false;

  const run = (): Promise<void> => {
    dirty = false;
    lastFlush = Date.now();
    count++;
    const p = flush()
      .catch(onError)
      .finally(() => {
        inflight = undefined;
        if (dirty && !finished) schedule();
      });
    inflight = p;
    return p;
  };

  function schedule(): void {
    if (timer || inflight || finished) return;
    const wait = Math.max(0, lastFlush + intervalMs - Date.now());
    timer = setTimeout(() => {
      timer = undefined;
      if (dirty && !finished) void run();
    }, wait);
  }

  return {
    poke() {
      dirty = true;
      schedule();
    },
    async finish(before) {
      finished = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      while (inflight) await inflight;
      await before?.();
      await run();
    },
    flushes: () => count,
  };
}
