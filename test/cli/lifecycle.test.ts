// Shutdown of serve/sandbox: a stop that finishes exits 0; one still busy when the bound passes (a report stuck on
// a dead target) is abandoned, logged and exits 70, instead of holding the pod until SIGKILL.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { runUntilSignal, stopWithin } from '../../src/cli/lifecycle.ts';
import { createLogger } from '../../src/logger.ts';

function harness(stop: () => Promise<void>) {
  const lines: string[] = [];
  const logger = createLogger({ destination: { write: (l: string) => void lines.push(l) } });
  const signals = new EventEmitter();
  const exits: number[] = [];
  const done = runUntilSignal(
    { logger, stop },
    { signals: { once: (s, l) => signals.once(s, l) }, exit: (c) => void exits.push(c), boundMs: 50 },
  );
  return { lines, signals, exits, done };
}

describe('shutdown', () => {
  it('waits for the signal, then a stop that finishes exits 0 with "stopped" as the last line', async () => {
    let stopped = false;
    const h = harness(() => {
      stopped = true;
      return Promise.resolve();
    });
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    h.signals.emit('SIGTERM');
    expect(await h.done).toBe(EXIT.pass);
    expect(stopped).toBe(true);
    expect(h.exits).toEqual([0]);
    expect(h.lines.at(-1)).toContain('"msg":"stopped"');
  });

  it('abandons a stop that outlives the bound: exit 70, said in the log', async () => {
    const h = harness(() => new Promise<void>(() => undefined)); // an in-flight report that never ends
    h.signals.emit('SIGINT');
    expect(await h.done).toBe(EXIT.software);
    expect(h.exits).toEqual([70]);
    expect(h.lines.at(-1)).toContain('in-flight work abandoned');
  });

  it('stopWithin treats a failing stop as abandoned', async () => {
    expect(await stopWithin(() => Promise.reject(new Error('boom')), 10_000)).toBe('abandoned');
    expect(await stopWithin(() => Promise.resolve(), 10_000)).toBe('stopped');
  });
});
