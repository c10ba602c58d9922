// The reference for ack latency: a Bolt app on the same receiver that only acks, in a process of its own
// (bare-bolt-server.ts), as the bot under measurement is.
import { spawn } from 'node:child_process';

export async function startBareBolt(secret: string): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./bare-bolt-server.ts', import.meta.url).pathname], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BARE_BOLT_SECRET: secret },
  });
  const port = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => reject(new Error(`bare Bolt exited ${code} at start`)));
  });
  return {
    url: `http://127.0.0.1:${port}/slack/events`,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
