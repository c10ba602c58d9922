// node:util parseArgs with its errors turned into UsageError (one line, exit 64) instead of a stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './exit-codes.ts';

export function parseFlags<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('ERR_PARSE_ARGS')) {
      // "Unknown option '--x'. To specify a positional argument starting with a '-', …": keep the first sentence.
      const first = ((err as Error).message.split(/\.\s/)[0] ?? '').replace(/\.$/, '');
      throw new UsageError(`${command}: ${first}`);
    }
    throw err;
  }
}
