// The `caracal-chatops` commands. Each is imported only when it runs, so `check` and `--help` start fast and
// `serve` never loads the sandbox.
import type { CliIo } from './check.ts';
import { EXIT, UsageError } from './exit-codes.ts';
import type { SignalDeps } from './lifecycle.ts';

export const USAGE = `usage: caracal-chatops <command> [options]

commands:
  check     run the recovery checks against Caracal from a terminal (Slack may be down too)
  serve     run the Slack bot: the production entry, never the sandbox
  sandbox   run the local sandbox: a simulated Caracal and a local Slack workspace in the browser

caracal-chatops <command> --help shows each command's options.
exit codes: 0 pass (or stopped cleanly), 1 warn, 2 fail, 64 usage, 70 shutdown bound passed, 78 configuration`;

export type Io = CliIo & SignalDeps;

const COMMANDS = ['check', 'serve', 'sandbox'];

async function run(command: string, rest: string[], io: Io): Promise<number> {
  switch (command) {
    case 'check':
      return (await import('./check.ts')).checkCommand(rest, io);
    case 'serve':
      return (await import('./serve.ts')).serveCommand(rest, io, io);
    case 'sandbox':
      return (await import('./sandbox.ts')).sandboxCommand(rest, io, io);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

function isError(err: unknown, name: 'UsageError' | 'SetupError'): err is Error {
  return err instanceof Error && err.name === name;
}

/** Runs one command line; usage and configuration errors become one line on stderr and exit 64 or 78. */
export async function cli(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return EXIT.pass;
  }
  if (command === undefined) {
    io.err(USAGE);
    return EXIT.usage;
  }
  try {
    return await run(command, rest, io);
  } catch (err) {
    // By name, not instanceof: serve and sandbox are loaded unbundled next to the bundled CLI (scripts/build.mjs),
    // so their copy of these classes is not the dispatcher's.
    if (isError(err, 'UsageError')) {
      const help = COMMANDS.includes(command) ? `caracal-chatops ${command} --help` : 'caracal-chatops --help';
      io.err(`caracal-chatops: ${err.message} (see ${help})`);
      return EXIT.usage;
    }
    if (isError(err, 'SetupError')) {
      io.err(`caracal-chatops: ${err.message}`);
      return EXIT.config;
    }
    throw err;
  }
}
