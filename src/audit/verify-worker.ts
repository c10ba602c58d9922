// A verification worker thread (verify-pool.ts): checks each batch of COPY tuples it is sent with RowChecker, the
// code the main thread runs when there is no pool, and sends the findings back with the batch's buffer.
import { parentPort, workerData } from 'node:worker_threads';
import { RowChecker } from './row-check.ts';
import type { CheckRequest, CheckResponse, WorkerSetup } from './verify-pool.ts';

const port = parentPort;
if (!port) throw new Error('verify-worker.ts runs as a worker thread (verify-pool.ts starts it)');
const checker = new RowChecker((workerData as WorkerSetup).hmacKey ?? undefined);

port.on('message', (m: CheckRequest) => {
  let response: CheckResponse;
  try {
    response = { id: m.id, result: checker.check(Buffer.from(m.buffer), m.start, m.contextEnd, m.end), buffer: m.buffer };
  } catch (error) {
    port.postMessage({ id: m.id, error } satisfies CheckResponse);
    return;
  }
  port.postMessage(response, [m.buffer]);
});
port.postMessage({ ready: true } satisfies CheckResponse);
