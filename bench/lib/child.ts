// A bench's helper process (a TypeScript file run with tsx) that prints one line when it is ready, then serves until
// SIGTERM: bare Bolt (bare-bolt-server.ts), the simulated Caracal (caracal-process.ts).
import { spawn } from 'node:child_process';

export async function startChild(script: URL, env: Record<string, string>): Promise<{ ready: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script.pathname], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const ready = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const end = out.indexOf('\n');
      if (end >= 0) resolve(out.slice(0, end));
    });
    child.once('exit', (code) => reject(new Error(`${script.pathname} exited ${code} at start`)));
  });
  return {
    ready,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
