// One pass at a time, as many as are asked for: a request that comes while a pass runs is answered by one more pass
// after it (never by a second one alongside it), however many requests came in the meantime. The outbox dispatcher
// and the Home publisher both work this way: a pass must not race another over the same rows.

export interface PassLoop {
  /** Run passes until no more is asked for; resolves when they are over (joins the passes in flight, if any). */
  run: () => Promise<void>;
  /** From inside a pass: run another one after it (this pass left work that is due now). */
  again: () => void;
  /** The passes in flight, if any (to wait for them at shutdown). */
  inFlight: () => Promise<void> | undefined;
}

/** `stopped`: no further pass starts once it is true (the one in flight finishes). A failed pass is reported, never thrown. */
export function passLoop(pass: () => Promise<void>, failed: (err: unknown) => void, stopped: () => boolean): PassLoop {
  let running: Promise<void> | undefined;
  let again = false;
  const run = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await pass();
        } catch (err) {
          failed(err);
        }
      } while (again && !stopped());
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  return {
    run,
    again: () => {
      again = true;
    },
    inFlight: () => running,
  };
}
