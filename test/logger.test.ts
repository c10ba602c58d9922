import { describe, expect, it } from 'vitest';
import { boltLogger, createLogger } from '../src/logger.ts';

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
