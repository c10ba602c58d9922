// A private redis-server in a temporary directory on a free loopback port: the tests never touch a Redis they did
// not start (a developer's local Redis keeps its data).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.ts';

export interface OwnRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

async function waitForPing(port: number, exited: () => boolean): Promise<void> {
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, enableReadyCheck: false, retryStrategy: () => null, protocol: 2 });
  probe.on('error', () => undefined); // refusals while the server starts are expected; connect() reports them
  try {
    for (let i = 0; ; i++) {
      try {
        await probe.connect();
        await probe.ping();
        return;
      } catch (err) {
        probe.disconnect();
        // A server started with --requirepass answers NOAUTH: it is up.
        if (/NOAUTH/.test((err as Error).message)) return;
        if (exited() || i > 100) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } finally {
    probe.disconnect();
  }
}

/** Starts `redis-server` with `args` (for example `--requirepass x`); retries once on a port taken meanwhile. */
export async function startRedisServer(args: string[] = []): Promise<OwnRedis> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'cc-redis-'));
    const child: ChildProcess = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...args],
      { stdio: 'ignore' },
    );
    let gone = false;
    const exited = new Promise<void>((resolve) =>
      child.once('exit', () => {
        gone = true;
        resolve();
      }),
    );
    child.once('error', () => {
      gone = true;
    });
    const stop = async () => {
      if (child.exitCode === null && !gone) child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    };
    try {
      await waitForPing(port, () => gone);
      return { url: `redis://127.0.0.1:${port}`, port, stop };
    } catch (err) {
      await stop().catch(() => undefined);
      if (attempt >= 2) throw new Error(`could not start redis-server (is it installed?): ${String(err)}`, { cause: err });
    }
  }
}
