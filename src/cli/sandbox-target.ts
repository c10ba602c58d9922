// `check --sandbox`: the configuration of the running local sandbox. The contract with src/sandbox: on start it writes
// $TMPDIR/caracal-chatops-sandbox/config.yml (the bot's config file, as the sandbox runs it) and env.json (an object
// of the environment variables holding its secrets) and prints the path; on stop it removes them.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type Config, type Env } from '../config.ts';
import { SetupError } from './exit-codes.ts';

export function sandboxFiles(env: Env): { dir: string; config: string; env: string } {
  const dir = join(env.TMPDIR || tmpdir(), 'caracal-chatops-sandbox');
  return { dir, config: join(dir, 'config.yml'), env: join(dir, 'env.json') };
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ENOENT')
      throw new SetupError(`the sandbox is not running (no ${path}): start it with \`npm start\` or \`caracal-chatops sandbox\``);
    throw new SetupError(`cannot read ${path} (${code})`);
  }
}

/** Only the sandbox's own secrets: the operator's environment (real tokens) is never sent to the simulation. */
export function loadSandboxConfig(env: Env): Config {
  const files = sandboxFiles(env);
  const yamlText = read(files.config);
  let secrets: unknown;
  try {
    secrets = JSON.parse(read(files.env));
  } catch (err) {
    if (err instanceof SetupError) throw err;
    throw new SetupError(`${files.env} is not valid JSON`);
  }
  if (typeof secrets !== 'object' || secrets === null || Object.values(secrets).some((v) => typeof v !== 'string')) {
    throw new SetupError(`${files.env} must be an object of environment variables (strings)`);
  }
  return parseConfig(yamlText, secrets as Env, files.config);
}
