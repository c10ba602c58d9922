// Entry point of the `caracal-chatops` command line (bin/caracal-chatops.js runs its compiled form).
import { cli } from './dispatch.ts';

process.exitCode = await cli(process.argv.slice(2), {
  out: (t) => console.log(t),
  err: (t) => console.error(t),
  env: process.env,
});
