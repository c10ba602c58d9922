// The batches of one COPY (copy-binary.ts) checked on a worker pool (verify-pool.ts) or on this thread, and their
// findings merged in read order, whichever finishes first: the report is the same either way.
import type { TupleBatch } from './copy-binary.ts';
import type { ZoneReport } from './report.ts';
import { mergeBatch, type BatchResult, type RowChecker } from './row-check.ts';
import type { CheckPool } from './verify-pool.ts';

/** Batches in flight per worker: one being checked, one waiting, so no worker idles while the next is read. */
export const IN_FLIGHT_PER_WORKER = 2;

export interface BatchRunnerOptions {
  /** Checks a batch on this thread. */
  checker: RowChecker;
  /** The pool, started when `start` is true and it was not yet; undefined when there is none (yet). */
  pool: (start: boolean) => CheckPool | undefined;
  /** Batches with the workers at most; more are checked on this thread. */
  limit: number;
  /** A checked batch's buffer, to be filled again. */
  recycle: (buffer: ArrayBuffer) => void;
}

export class BatchRunner {
  /** Per zone, in read order, the batches merged so far. */
  readonly zones: ZoneReport[] = [];
  /** Zones where rows shared a chain_seq (row-check.ts BatchResult.tied), each once. */
  readonly tied: string[] = [];
  private readonly done = new Map<number, BatchResult>();
  private merged = 0;
  private submitted = 0;
  private inFlight = 0;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: BatchRunnerOptions) {}

  /**
   * Check a batch. The pool starts with the first batch that is not the last (a table of one batch is not worth a
   * thread). While it starts, and whenever every worker has its fill, this thread checks the batch itself: every
   * thread keeps hashing, and the caller (reading the COPY) is held back no longer than a batch takes.
   */
  submit(batch: TupleBatch, last: boolean): void {
    if (this.failure) throw this.failure;
    const id = this.submitted++;
    const pool = this.options.pool(!last);
    pool?.throwIfFailed();
    if (!pool?.ready || this.inFlight >= this.options.limit) {
      this.finish(id, this.options.checker.check(Buffer.from(batch.buffer), batch.start, batch.contextEnd, batch.end));
      this.options.recycle(batch.buffer);
      return;
    }
    this.inFlight++;
    pool.check(batch).then(
      ({ result, buffer }) => {
        this.inFlight--;
        this.options.recycle(buffer);
        this.finish(id, result);
        this.wake?.();
      },
      (err: unknown) => {
        this.inFlight--;
        this.failure ??= err instanceof Error ? err : new Error(String(err));
        this.wake?.();
      },
    );
  }

  /** Wait for the batches still with the workers; throws what failed a check, or the abort reason. */
  async drain(signal: AbortSignal | undefined): Promise<void> {
    while (this.inFlight > 0) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
        signal?.addEventListener('abort', onAbort, { once: true });
        this.wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        if (signal?.aborted) onAbort();
      });
    }
    if (this.failure) throw this.failure;
  }

  /** Keep a batch's findings, and merge every one whose turn has come. */
  private finish(id: number, result: BatchResult): void {
    this.done.set(id, result);
    for (let next = this.done.get(this.merged); next; next = this.done.get(this.merged)) {
      this.done.delete(this.merged++);
      mergeBatch(this.zones, next.zones);
      for (const z of next.tied) if (this.tied.at(-1) !== z) this.tied.push(z);
    }
  }
}
