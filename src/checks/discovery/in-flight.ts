// One read shared by the checks of one run: while a read with the same key is in flight, later callers wait for
// it instead of asking Caracal again (the API's /v1 routes allow 600 requests per minute per IP). Nothing is kept
// once it settles, so the next run reads afresh. Each caller still stops waiting when its own signal aborts.
import type { CheckContext } from '../types.ts';

const inFlight = new WeakMap<CheckContext, Map<string, Promise<unknown>>>();

export function shared<T>(ctx: CheckContext, key: string, signal: AbortSignal, read: (signal: AbortSignal) => Promise<T>): Promise<T> {
  let reads = inFlight.get(ctx);
  if (!reads) {
    reads = new Map<string, Promise<unknown>>();
    inFlight.set(ctx, reads);
  }
  let pending = reads.get(key) as Promise<T> | undefined;
  if (!pending) {
    // Not the first caller's signal: its check timing out must not cancel the read for the others. The HTTP
    // target's own timeout bounds it.
    const own = new AbortController();
    pending = read(own.signal).finally(() => reads.delete(key));
    reads.set(key, pending);
  }
  return abortable(pending, signal);
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
