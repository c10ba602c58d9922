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
  const scrubbed: DestinationStream = { write: (line: string) => destination.write(scrub(line)) };
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

function render(parts: unknown[]): string {
  return parts
    .map((p) => (typeof p === 'string' ? p : p instanceof Error ? (p.stack ?? p.message) : JSON.stringify(p)))
    .join(' ');
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
