// Entry point of the `caracal-chatops` command line.
import { checkCommand } from './check.ts';

const [sub, ...rest] = process.argv.slice(2);
const io = { out: (t: string) => console.log(t), err: (t: string) => console.error(t), env: process.env };

if (sub === 'check') {
  process.exitCode = await checkCommand(rest, io);
} else {
  io.err('usage: caracal-chatops check [--json] [--deep] [--config FILE] [--helm-values FILE]');
  process.exitCode = sub === undefined || sub === 'help' || sub === '--help' ? 0 : 2;
}
