// pino root logger, redaction of every secret, and an adapter that lets Bolt log through pino.
import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import { scrubber } from './redact.ts';

export type Logger = PinoLogger;

/** Paths that may carry credentials in anything we log (config objects, errors, request headers). */
const REDACT_PATHS = [
  'secrets',
  '*.secrets',
  'token',
  '*.token',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'signingSecret',
  'botToken',
  'appToken',
];

export interface LoggerOptions {
  level?: string;
  /** Secret values to scrub from every line, wherever they appear (messages, error text, URLs). */
  secrets?: string[];
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const scrub = scrubber(options.secrets ?? []);
  const destination = options.destination ?? pino.destination({ dest: 1, sync: false });
  // Value-based scrubbing catches secrets that path-based redaction cannot know about (e.g. inside an error message).
  // flush is forwarded so that logger.flush() (flushLogger) reaches the asynchronous destination before an exit.
  const flushable = destination as DestinationStream & { flush?: (cb: (err?: Error) => void) => void; flushSync?: () => void };
  const scrubbed: DestinationStream & { flush: (cb: (err?: Error) => void) => void } = {
    write: (line: string) => destination.write(scrub(line)),
    flush: (cb) => {
      try {
        flushable.flushSync?.(); // sonic-boom: writes what is buffered now, even a write already in progress
      } catch {
        // not open yet, or EAGAIN on a full pipe: the asynchronous flush below still runs
      }
      if (flushable.flush) flushable.flush(cb);
      else cb();
    },
  };
  return pino(
    {
      level: options.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      serializers: { err: pino.stdSerializers.err },
      base: { service: 'caracal-chatops' },
    },
    scrubbed,
  );
}

/**
 * Writes out every buffered line (the default destination is asynchronous): call it before process.exit, or the
 * last lines, often the reason for the exit, are lost. Resolves even if flushing fails or hangs (bounded).
 */
export async function flushLogger(logger: Logger, boundMs = 2000): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, boundMs);
    timer.unref();
    try {
      logger.flush(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

function render(parts: unknown[]): string {
  return parts.map((p) => (typeof p === 'string' ? p : p instanceof Error ? (p.stack ?? p.message) : JSON.stringify(p))).join(' ');
}

/** Bolt's Logger interface (@slack/logger 5) on top of pino. */
export function boltLogger(base: Logger): BoltLogger {
  let log = base.child({ component: 'bolt' });
  let level: LogLevel = LogLevel.INFO;
  return {
    debug: (...m: unknown[]) => log.debug(render(m)),
    info: (...m: unknown[]) => log.info(render(m)),
    warn: (...m: unknown[]) => log.warn(render(m)),
    error: (...m: unknown[]) => log.error(render(m)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: (name: string) => {
      log = base.child({ component: name });
    },
  };
}
