// Group commit for requests saved before their ack, and for their deletes once handled: every request that arrives
// while one statement is on its way goes into the next one, so twenty clicks at once cost two commits, not twenty
// round trips queued on the pool.
export function saveBatcher<T>(write: (batch: T[]) => Promise<void>): (item: T) => Promise<void> {
  let waiting: { item: T; settle: (err?: Error) => void }[] = [];
  let writing = false;

  async function drain(): Promise<void> {
    writing = true;
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      try {
        await write(batch.map((w) => w.item));
        for (const w of batch) w.settle();
      } catch (err) {
        const error = err instanceof Error ? err : new Error('the save failed');
        for (const w of batch) w.settle(error);
      }
    }
    writing = false;
  }

  return (item) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ item, settle: (err) => (err ? reject(err) : resolve()) });
      // The first of a burst waits one turn of the event loop for the requests read in the same turn.
      if (!writing) {
        writing = true;
        setImmediate(() => void drain());
      }
    });
}
