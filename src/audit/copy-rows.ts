// COPY (SELECT ...) TO STDOUT on pg's own client protocol, handing each text row to a callback as bytes, as
// it arrives. Memory stays flat whatever the result's size: nothing is kept but a partial row, and while the
// callback runs pg reads no more from the socket, so TCP holds Postgres back when the callback is slower.
import type pg from 'pg';
import { NL } from './copy-text.ts';

/** Called with the row buf[start, end) where buf[end] is its newline; buf is only valid during the call. */
export type RowHandler = (buf: Buffer, start: number, end: number) => void;

export class CopyRows implements pg.Submittable {
  rows = 0;
  readonly done: Promise<number>;
  private settle!: { resolve: (rows: number) => void; reject: (err: Error) => void };
  /** A row split across CopyData messages (Postgres sends one per row, but the protocol does not promise it). */
  private partial: Buffer | undefined;
  private failure: Error | undefined;
  /**
   * Set by pg's Client.query when it arms query_timeout: calling it when the copy ends clears that timer,
   * which would otherwise keep the process alive and fire a stray error once the timeout has passed.
   */
  callback: ((err: Error | null, rows?: number) => void) | undefined;

  constructor(
    private readonly sql: string,
    private readonly onRow: RowHandler,
  ) {
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    // pg may report an error before the caller awaits `done` (from nextTick): not an unhandled rejection.
    // The caller's own await still sees it.
    this.done.catch(() => undefined);
  }

  submit(connection: pg.Connection): void {
    connection.query(this.sql);
  }

  handleCopyData(msg: { chunk: Buffer }): void {
    // A throw here would unwind through pg's socket handler; keep the first error for ReadyForQuery instead.
    if (this.failure) return;
    try {
      this.feed(msg.chunk);
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
    }
  }

  private feed(chunk: Buffer): void {
    let pos = 0;
    if (this.partial) {
      const nl = chunk.indexOf(NL);
      // The chunk is a view into pg's read buffer, which pg reuses: keep a copy, never the view.
      this.partial = Buffer.concat([this.partial, nl === -1 ? chunk : chunk.subarray(0, nl + 1)]);
      if (nl === -1) return;
      const row = this.partial;
      this.partial = undefined;
      this.emit(row, 0, row.length - 1);
      pos = nl + 1;
    }
    while (pos < chunk.length) {
      const nl = chunk.indexOf(NL, pos);
      if (nl === -1) {
        this.partial = Buffer.from(chunk.subarray(pos));
        return;
      }
      this.emit(chunk, pos, nl);
      pos = nl + 1;
    }
  }

  private emit(buf: Buffer, start: number, end: number): void {
    this.rows++;
    this.onRow(buf, start, end);
  }

  handleCommandComplete(): void {}

  handleReadyForQuery(): void {
    if (!this.failure && this.partial) this.failure = new Error('COPY ended in the middle of a row');
    if (this.failure) this.settle.reject(this.failure);
    else this.settle.resolve(this.rows);
    this.callback?.(this.failure ?? null, this.rows);
  }

  handleError(err: Error): void {
    // Also stops handing over rows a timed-out copy may still deliver.
    this.failure ??= err;
    this.settle.reject(err);
  }
}
