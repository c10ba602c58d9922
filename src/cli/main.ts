// Entry point of the `caracal-chatops` command line (bin/caracal-chatops.js runs its compiled form).
import { cli } from './dispatch.ts';

const code = await cli(process.argv.slice(2), {
  out: (t) => console.log(t),
  err: (t) => console.error(t),
  env: process.env,
});
process.exitCode = code;
// `check` has closed its clients; exit once the output is written instead of waiting for keep-alive sockets and
// reconnect timers to expire (up to seconds). serve and sandbox exit by themselves (lifecycle.ts).
process.stderr.write('', () => process.stdout.write('', () => process.exit(code)));
