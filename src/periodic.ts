// A task run every few seconds and on demand, one at a time in this process: a call while it runs joins that run.
// Its failures are the task's to report (`onError`); the timer never keeps the process alive.
export interface PeriodicTask {
  /** Run now, or join the run in flight. */
  run: () => Promise<void>;
  start: () => void;
  /** Stop the timer and wait for the run in flight. */
  stop: () => Promise<void>;
}

export function periodicTask(task: () => Promise<void>, opts: { everyMs: number; onError: (err: unknown) => void }): PeriodicTask {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const run = (): Promise<void> =>
    (running ??= task()
      .catch(opts.onError)
      .finally(() => (running = undefined)));
  return {
    run,
    start: () => {
      timer ??= setInterval(() => void run(), opts.everyMs);
      timer.unref();
    },
    stop: async () => {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
