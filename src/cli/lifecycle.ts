// How `serve` and `sandbox` end: on SIGTERM/SIGINT stop within a bound (an in-flight report or click finishes, or
// is abandoned when the bound passes; its outbox deliveries resume on another replica), flush the logs, exit.
import { flushLogger, type Logger } from '../logger.ts';
import { EXIT } from './exit-codes.ts';

/** Below Kubernetes' default terminationGracePeriodSeconds (30 s), which the chart keeps. */
export const SHUTDOWN_BOUND_MS = 20_000;

export interface Running {
  logger: Logger;
  stop(): Promise<void>;
}

/** Resolves 'stopped' when stop() finished within boundMs, 'abandoned' otherwise (or when it threw). */
export async function stopWithin(stop: () => Promise<void>, boundMs: number): Promise<'stopped' | 'abandoned'> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<'abandoned'>((resolve) => {
    timer = setTimeout(() => resolve('abandoned'), boundMs);
  });
  try {
    return await Promise.race([
      stop().then(
        () => 'stopped' as const,
        () => 'abandoned' as const,
      ),
      bound,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface SignalDeps {
  boundMs?: number;
  /** process by default; tests pass an EventEmitter. */
  signals?: { once(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown };
  exit?: (code: number) => void;
}

/** Waits for the first SIGTERM or SIGINT, then stops, flushes the logs and exits with 0 (stopped) or 70 (abandoned). */
export async function runUntilSignal(running: Running, deps: SignalDeps = {}): Promise<number> {
  const signals = deps.signals ?? process;
  const boundMs = deps.boundMs ?? SHUTDOWN_BOUND_MS;
  const signal = await new Promise<string>((resolve) => {
    signals.once('SIGTERM', () => resolve('SIGTERM'));
    signals.once('SIGINT', () => resolve('SIGINT'));
  });
  running.logger.info({ signal, boundMs }, 'shutting down');
  const outcome = await stopWithin(() => running.stop(), boundMs);
  const code = outcome === 'stopped' ? EXIT.pass : EXIT.software;
  if (outcome === 'stopped') running.logger.info({ code }, 'stopped');
  else running.logger.error({ code, boundMs }, 'shutdown bound passed: in-flight work abandoned');
  await flushLogger(running.logger);
  (deps.exit ?? ((c: number) => process.exit(c)))(code);
  return code;
}
