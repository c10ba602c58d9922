import { describe, expect, it } from 'vitest';
import { runChecks } from '../../src/checks/executor.ts';
import { worstStatus } from '../../src/domain/check-result.ts';
import type { CheckContext, CheckDefinition } from '../../src/checks/types.ts';
import { TargetError } from '../../src/errors.ts';
import { fakeContext } from '../helpers/slack.ts';
import { testConfig } from '../helpers/check-context.ts';

const ctx: CheckContext = fakeContext(testConfig());

function check(id: string, run: CheckDefinition['run']): CheckDefinition {
  return { id, title: id, gates: ['storage'], reads: '-', run };
}

describe('runChecks', () => {
  it('runs every check in parallel and reports each with its duration', async () => {
    let started = 0;
    let startedWhenFirstFinished = -1;
    const slow = (id: string) =>
      check(id, async () => {
        started++;
        await new Promise((r) => setTimeout(r, 50));
        if (startedWhenFirstFinished === -1) startedWhenFirstFinished = started;
        return { status: 'pass', summary: 'ok' };
      });
    const results = await runChecks([slow('a'), slow('b'), slow('c')], ctx, { timeoutMs: () => 1000 });
    expect(startedWhenFirstFinished).toBe(3);
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['a', 'pass'],
      ['b', 'pass'],
      ['c', 'pass'],
    ]);
    expect(results.every((r) => r.durationMs >= 40)).toBe(true);
  });

  it('tells a target that is down (fail) from a checker bug (error), and a silent target times out as fail', async () => {
    let aborted = false;
    const results = await runChecks(
      [
        check('down', () => Promise.reject(new TargetError('redis', 'Redis PING: connection refused'))),
        check('bug', () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'x')"))),
        check('silent', (_ctx, signal) => new Promise(() => signal.addEventListener('abort', () => (aborted = true)))),
        check('throws-sync', () => {
          throw new RangeError('oops');
        }),
      ],
      ctx,
      { timeoutMs: (id) => (id === 'silent' ? 100 : 1000) },
    );
    const byId = Object.fromEntries(results.map((r) => [r.id, r]));
    expect(byId.down.status).toBe('fail');
    expect(byId.down.summary).toContain('connection refused');
    expect(byId.bug.status).toBe('error');
    expect(byId.bug.error).toEqual({ name: 'TypeError', message: "Cannot read properties of undefined (reading 'x')" });
    expect(byId.bug.summary).toContain('bug in caracal-chatops');
    expect(byId.silent.status).toBe('fail');
    expect(byId.silent.summary).toContain('No answer within 100 ms');
    expect(aborted).toBe(true);
    expect(byId['throws-sync'].status).toBe('error');
    expect(worstStatus(results.map((r) => r.status))).toBe('fail');
  });

  it('keeps every result even when the onResult listener throws', async () => {
    const seen: string[] = [];
    const results = await runChecks(
      [
        check('a', () => Promise.resolve({ status: 'warn', summary: 'w' })),
        check('b', () => Promise.resolve({ status: 'pass', summary: 'p' })),
      ],
      ctx,
      {
        timeoutMs: () => 1000,
        onResult: (r) => {
          seen.push(r.id);
          throw new Error('listener broke');
        },
      },
    );
    expect(seen.sort()).toEqual(['a', 'b']);
    expect(results.map((r) => r.status)).toEqual(['warn', 'pass']);
  });

  it('worstStatus orders pass < warn < fail and counts error as fail', () => {
    expect(worstStatus([])).toBe('pass');
    expect(worstStatus(['pass', 'warn'])).toBe('warn');
    expect(worstStatus(['warn', 'error'])).toBe('fail');
  });
});
