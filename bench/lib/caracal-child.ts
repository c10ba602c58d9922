// Starts caracal-process.ts and reads what it prints: the configuration and secrets that point the bot at it.
import { startChild } from './child.ts';

export interface CaracalChild {
  file: { caracal: Record<string, unknown> & { redis: Record<string, unknown> } };
  env: Record<string, string>;
  /** When each /ready reached the simulated services (epoch ms), per service pod. */
  readyCalls(): Promise<Record<string, number[]>>;
  stop(): Promise<void>;
}

export async function startCaracalChild(redisUrl: string): Promise<CaracalChild> {
  const child = await startChild(new URL('./caracal-process.ts', import.meta.url), { CARACAL_REDIS_URL: redisUrl });
  const started = JSON.parse(child.ready) as Pick<CaracalChild, 'file' | 'env'> & { control: string };
  return {
    file: started.file,
    env: started.env,
    readyCalls: async () => (await (await fetch(`${started.control}/ready-calls`)).json()) as Record<string, number[]>,
    stop: child.stop,
  };
}
