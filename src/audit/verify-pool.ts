// The hashing of a deep verification spread over worker threads: each batch of COPY tuples (copy-binary.ts) is
// transferred to a worker (its ArrayBuffer moves, no copy), checked there by the same RowChecker the main thread
// would use (row-check.ts), and comes back with its findings; verify.ts merges them in read order.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TupleBatch } from './copy-binary.ts';
import type { BatchResult } from './row-check.ts';

/** What each worker is started with (workerData). */
export interface WorkerSetup {
  /** The hex-decoded AUDIT_HMAC_KEY, or null to leave chain_hmac unchecked. */
  hmacKey: Uint8Array | null;
}

export type CheckRequest = Omit<TupleBatch, 'tuples'> & { id: number };
export type CheckResponse = { ready: true } | { id: number; result: BatchResult; buffer: ArrayBuffer } | { id: number; error: unknown };

export interface CheckedBatch {
  result: BatchResult;
  /** The batch's buffer, back from the worker to be filled again. */
  buffer: ArrayBuffer;
}

// The worker entry sits next to this module: verify-worker.ts in the sources (tests and benches, under tsx or
// vitest), verify-worker.js in dist/ (tsc's output, and next to the CLI bundle's chunk: scripts/build.mjs).
const here = import.meta.url;
export const WORKER_ENTRY = new URL(here.endsWith('.ts') ? './verify-worker.ts' : './verify-worker.js', here);

function start(entry: URL, setup: WorkerSetup): Worker {
  // No inherited execArgv: the parent's loader flags (tsx's, in a bench) would load a TypeScript loader into every
  // worker, several times the cost of starting one.
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData: setup, execArgv: [] });
  // From the sources (tests, benches), the worker compiles them itself, through tsx's in-thread require hook.
  const tsx = createRequire(import.meta.url).resolve('tsx/cjs/api');
  const code = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(fileURLToPath(entry))});`;
  return new Worker(code, { eval: true, workerData: setup, execArgv: [] });
}

interface Slot {
  worker: Worker;
  ready: boolean;
  pending: Map<number, { resolve: (c: CheckedBatch) => void; reject: (err: unknown) => void }>;
}

/** `size` workers, started at once; close() ends them (always call it: on success, error and abort alike). */
export class CheckPool {
  private readonly slots: Slot[];
  private nextId = 0;
  private failure: Error | undefined;
  private closing = false;
  private readyWorkers = 0;

  constructor(size: number, hmacKey: Uint8Array | undefined, entry: URL = WORKER_ENTRY) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`worker pool size must be a positive integer, not ${size}`);
    this.slots = Array.from({ length: size }, () => this.slot(start(entry, { hmacKey: hmacKey ?? null })));
  }

  /** Whether a worker has loaded and can take batches. */
  get ready(): boolean {
    return this.readyWorkers > 0 && this.failure === undefined;
  }

  /** Throws what ended the pool, if anything did (a worker that failed to start, threw or exited). */
  throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /** Check a batch on the least busy worker. Its buffer is transferred: the caller must not touch it until it is back. */
  check(batch: TupleBatch): Promise<CheckedBatch> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new Error('worker pool closed'));
    let slot: Slot | undefined;
    for (const s of this.slots) if (s.ready && (!slot || s.pending.size < slot.pending.size)) slot = s;
    if (!slot) return Promise.reject(new Error('no verification worker is ready'));
    const id = this.nextId++;
    const request: CheckRequest = { id, buffer: batch.buffer, start: batch.start, contextEnd: batch.contextEnd, end: batch.end };
    return new Promise<CheckedBatch>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage(request, [batch.buffer]);
    });
  }

  /** Terminate every worker; pending checks are rejected. Safe to call more than once. */
  async close(): Promise<void> {
    this.closing = true;
    this.fail(new Error('worker pool closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private slot(worker: Worker): Slot {
    const slot: Slot = { worker, ready: false, pending: new Map() };
    worker.on('message', (m: CheckResponse) => {
      if ('ready' in m) {
        slot.ready = true;
        this.readyWorkers++;
        return;
      }
      if ('error' in m) return this.fail(m.error instanceof Error ? m.error : new Error(String(m.error)));
      slot.pending.get(m.id)?.resolve({ result: m.result, buffer: m.buffer });
      slot.pending.delete(m.id);
    });
    // A worker that fails to start or throws ends the pool: its batches are lost, and so is the verification.
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => {
      if (!this.closing) this.fail(new Error(`verification worker exited (code ${code})`));
    });
    return slot;
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const s of this.slots) {
      for (const p of s.pending.values()) p.reject(this.failure);
      s.pending.clear();
    }
  }
}
