import { describe, expect, it } from 'vitest';
import { boltLogger, createLogger, flushLogger } from '../src/logger.ts';

describe('logger', () => {
  it('redacts secret paths and scrubs secret values wherever they appear', () => {
    const lines: string[] = [];
    const log = createLogger({ secrets: ['s3cr3t-"value', 'xoxb-sentinel'], destination: { write: (l: string) => void lines.push(l) } });
    log.info({ token: 'plain-token', headers: { authorization: 'Bearer abc' } }, 'first');
    log.error({ err: new Error('connect failed for postgres://u:s3cr3t-"value@h/db') }, 'second xoxb-sentinel');
    const all = lines.join('\n');
    expect(all).not.toContain('plain-token');
    expect(all).not.toContain('Bearer abc');
    expect(all).not.toContain('s3cr3t');
    expect(all).not.toContain('xoxb-sentinel');
    expect(all).toContain('[REDACTED]');
    expect(all).toContain('connect failed for postgres://u:');
  });

  it('lets Bolt log through pino', () => {
    const lines: string[] = [];
    const bolt = boltLogger(createLogger({ level: 'debug', destination: { write: (l: string) => void lines.push(l) } }));
    bolt.setName('bolt-app');
    bolt.warn('hello', { a: 1 }, new Error('bad'));
    const entry = JSON.parse(lines[0]) as { msg: string; component: string; level: number };
    expect(entry.component).toBe('bolt-app');
    expect(entry.msg).toContain('hello {"a":1} Error: bad');
    expect(entry.level).toBe(40);
  });
});

describe('flushLogger', () => {
  it('reaches the destination through the scrubbing wrapper and waits for its flush', async () => {
    const calls: string[] = [];
    let finish: (() => void) | undefined;
    const destination = {
      write: () => undefined,
      flushSync: () => void calls.push('flushSync'),
      flush: (cb: () => void) => {
        calls.push('flush');
        finish = cb;
      },
    };
    const logger = createLogger({ destination });
    let done = false;
    const flushed = flushLogger(logger, 10_000).then(() => void (done = true));
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual(['flushSync', 'flush']);
    expect(done).toBe(false);
    finish!();
    await flushed;
    expect(done).toBe(true);
  });

  it('gets every line out before process.exit, even into a slow pipe', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/log-then-exit.ts', '20000'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const chunks: Buffer[] = [];
    // Read slowly at first so the pipe fills and the asynchronous destination has lines pending at exit.
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), 300);
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    const lines = Buffer.concat(chunks).toString().trim().split('\n');
    expect(code).toBe(3);
    expect(lines).toHaveLength(20001);
    expect(lines.at(-1)).toContain('last line before exit');
  }, 60_000);
});
