import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { checkCommand, EXIT } from '../../src/cli/check.ts';
import { cli } from '../../src/cli/dispatch.ts';
import type { CheckDefinition, Verdict } from '../../src/checks/types.ts';

const run = promisify(execFile);

function fixed(id: string, status: Verdict): CheckDefinition {
  return { id, title: id, gates: ['storage'], reads: '-', run: () => Promise.resolve({ status, summary: `${id} is ${status}`, remedy: 'do the thing' }) };
}

// An empty config file: every default, and explicit (without one the CLI asks for --config).
const EMPTY_CONFIG = join(mkdtempSync(join(tmpdir(), 'cc-cli-')), 'empty.yml');
writeFileSync(EMPTY_CONFIG, '');

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env: { CARACAL_CHATOPS_CONFIG: EMPTY_CONFIG } } };
}

describe('caracal-chatops check', () => {
  it.each([
    [['pass', 'pass'], EXIT.pass],
    [['pass', 'warn'], EXIT.warn],
    [['warn', 'fail'], EXIT.fail],
  ] as const)('exit code for %j is %i', async (statuses, code) => {
    const t = io();
    const checks = statuses.map((s, i) => fixed(`c.${i}`, s));
    expect(await checkCommand([], t.io, checks)).toBe(code);
    expect(t.out.join('\n')).toMatch(/CHECK\s+STATUS/);
  });

  it('prints JSON with --json', async () => {
    const t = io();
    await checkCommand(['--json'], t.io, [fixed('a.b', 'warn')]);
    const parsed = JSON.parse(t.out.join('')) as { verdict: string; results: { id: string; status: string }[] };
    expect(parsed.verdict).toBe('warn');
    expect(parsed.results[0]).toMatchObject({ id: 'a.b', status: 'warn' });
  });

  it('exits 78 (configuration), not 2 (checks failed), on an unreadable config file', async () => {
    const t = io();
    expect(await cli(['check', '--config', '/nonexistent.yml'], t.io)).toBe(EXIT.config);
    expect(t.err.join('')).toContain('cannot read config file');
  });

  it('runs as a command against config.example.yml; the services it names are not running here, so it fails closed', async () => {
    const result = await run('node', ['bin/caracal-chatops.js', 'check', '--json', '--config', 'config.example.yml'], { env: { ...process.env, CARACAL_CHATOPS_CONFIG: '' } }).catch(
      (err: { code: number; stdout: string }) => err,
    );
    expect('code' in result ? result.code : 0).toBe(2);
    const parsed = JSON.parse(result.stdout) as { verdict: string; results: { id: string; status: string }[] };
    expect(parsed.verdict).toBe('fail');
    expect(parsed.results.length).toBeGreaterThanOrEqual(14);
    const byId = Object.fromEntries(parsed.results.map((r) => [r.id, r.status]));
    // No Caracal service listens on the example's ports here: every HTTP check must fail, none may pass.
    for (const id of ['services.ready', 'audit.replay', 'gateway.revocation', 'audit.tamper']) expect([id, byId[id]]).toEqual([id, 'fail']);
  }, 30_000);
});

describe('caracal-chatops check --deep', () => {
  it('adds the deep audit-chain verification to the checks', async () => {
    const t = io();
    await checkCommand(['--json', '--deep'], t.io, [fixed('a.b', 'pass')]);
    const parsed = JSON.parse(t.out.join('')) as { verdict: string; results: { id: string; status: string; summary: string }[] };
    expect(parsed.results.map((r) => r.id)).toEqual(['a.b', 'audit.chain']);
    // No Postgres is configured in this environment: the chain cannot be read, so it fails closed.
    expect(parsed.results[1]).toMatchObject({ status: 'fail' });
    expect(parsed.verdict).toBe('fail');
  });
});
