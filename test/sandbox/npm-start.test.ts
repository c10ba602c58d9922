// `npm start` on a machine with no Slack app, no Postgres and no Redis: the process still starts the sandbox
// (embedded state, simulated Caracal Postgres on PGlite), reports Redis down, answers /caracal status, and stops
// cleanly on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { closedPort } from '../helpers/faults.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

interface SandboxMessage {
  text: string;
  isBot: boolean;
}

async function waitForUrl(child: ChildProcess, output: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no sandbox URL within 60 s:\n${output.join('')}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const match = /Page: +(http:\/\/127\.0\.0\.1:\d+)\//.exec(output.join(''));
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => output.push(c.toString()));
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output.join('')}`)));
  });
}

describe('npm start without Slack, Postgres or Redis', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it('opens the sandbox, reports Redis down and Postgres up, and stops on SIGTERM', async () => {
    const deadPort = String(await closedPort());
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      SANDBOX_ALERTING: 'off',
      SANDBOX_PORT: '0',
      SANDBOX_REDIS_URL: `redis://127.0.0.1:${deadPort}`,
      // Any stray use of a local Postgres (libpq defaults) would hit a closed port and fail.
      PGHOST: '127.0.0.1',
      PGPORT: deadPort,
    };
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    const url = await waitForUrl(child, output);
    expect(output.join('')).toMatch(/Caracal's Postgres: embedded PGlite; Redis: down/);

    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('SANDBOX');
    const faults = (await (await fetch(`${url}/sandbox/faults`)).json()) as { redis: string; faults: { id: string; available: boolean }[] };
    expect(faults.redis).toMatch(/^down/);
    expect(faults.faults.find((f) => f.id === 'redis_outage')?.available).toBe(false);
    expect(faults.faults.find((f) => f.id === 'postgres_outage')?.available).toBe(true);

    const ack = await fetch(`${url}/sandbox/interact`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'command', user: 'U0ALICE', channel: 'C0INCIDENT', text: '/caracal status' }),
    });
    expect(((await ack.json()) as { status: number }).status).toBe(200);
    let report: SandboxMessage | undefined;
    await expect
      .poll(
        async () => {
          const state = (await (await fetch(`${url}/sandbox/state?user=U0ALICE&channel=C0INCIDENT`)).json()) as {
            messages: SandboxMessage[];
          };
          report = state.messages.find(
            (m) => m.isBot && /Caracal status(?: \([a-z0-9-]+\))?: (Redis unavailable: )?\d+ failing/.test(m.text),
          );
          return report !== undefined;
        },
        { timeout: 30_000, interval: 250 },
      )
      .toBe(true);
    expect(report!.text).toMatch(/^\[SANDBOX\] /);
    expect(report!.text).toContain('redis.reachable');
    expect(report!.text).not.toContain('postgres.reachable');

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    child = undefined;
  }, 120_000);
});
