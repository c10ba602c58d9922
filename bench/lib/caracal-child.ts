// Starts caracal-process.ts and reads what it prints: the configuration and secrets that point the bot at it.
import { spawn } from 'node:child_process';

export interface CaracalChild {
  file: { caracal: Record<string, unknown> & { redis: Record<string, unknown> } };
  env: Record<string, string>;
  /** When each /ready reached the simulated services (epoch ms), per service pod. */
  readyCalls(): Promise<Record<string, number[]>>;
  stop(): Promise<void>;
}

export async function startCaracalChild(redisUrl: string): Promise<CaracalChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./caracal-process.ts', import.meta.url).pathname], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, CARACAL_REDIS_URL: redisUrl },
  });
  const first = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const end = out.indexOf('\n');
      if (end >= 0) resolve(out.slice(0, end));
    });
    child.once('exit', (code) => reject(new Error(`the simulated Caracal exited ${code} at start`)));
  });
  const started = JSON.parse(first) as Pick<CaracalChild, 'file' | 'env'> & { control: string };
  return {
    file: started.file,
    env: started.env,
    readyCalls: async () => (await (await fetch(`${started.control}/ready-calls`)).json()) as Record<string, number[]>,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
