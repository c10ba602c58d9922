import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { checkCommand, EXIT } from '../../src/cli/check.ts';
import { cli } from '../../src/cli/dispatch.ts';
import type { CheckDefinition } from '../../src/checks/types.ts';
import type { Verdict } from '../../src/domain/check-result.ts';

const run = promisify(execFile);

function fixed(id: string, status: Verdict): CheckDefinition {
  return {
    id,
    title: id,
    gates: ['storage'],
    reads: '-',
    run: () => Promise.resolve({ status, summary: `${id} is ${status}`, remedy: 'do the thing' }),
  };
}

// An empty config file: every default, and explicit (without one the CLI asks for --config).
const EMPTY_CONFIG = join(mkdtempSync(join(tmpdir(), 'cc-cli-')), 'empty.yml');
writeFileSync(EMPTY_CONFIG, '');

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env: { CARACAL_CHATOPS_CONFIG: EMPTY_CONFIG } },
  };
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

  it('--helm-values feeds the settings preflight', async () => {
    const t = io();
    const seen: (string | undefined)[] = [];
    const probe: CheckDefinition = {
      ...fixed('p.p', 'pass'),
      run: (ctx) => {
        seen.push(ctx.caracal.preflight.helmValues);
        return Promise.resolve({ status: 'pass', summary: 'read' });
      },
    };
    expect(await checkCommand(['--helm-values', 'deploy/values.yaml'], t.io, [probe])).toBe(EXIT.pass);
    expect(seen).toEqual(['deploy/values.yaml']);
  });

  it('exits 78 (configuration), not 2 (checks failed), on an unreadable config file', async () => {
    const t = io();
    expect(await cli(['check', '--config', '/nonexistent.yml'], t.io)).toBe(EXIT.config);
    expect(t.err.join('')).toContain('cannot read config file');
  });

  it('runs as a command against config.example.yml; the services it names are not running here, so it fails closed', async () => {
    const result = await run('node', ['bin/caracal-chatops.js', 'check', '--json', '--config', 'config.example.yml'], {
      env: { ...process.env, CARACAL_CHATOPS_CONFIG: '' },
    }).catch((err: { code: number; stdout: string }) => err);
    expect('code' in result ? result.code : 0).toBe(2);
    const parsed = JSON.parse(result.stdout) as { verdict: string; results: { id: string; status: string }[] };
    expect(parsed.verdict).toBe('fail');
    expect(parsed.results.length).toBeGreaterThanOrEqual(14);
    const byId = Object.fromEntries(parsed.results.map((r) => [r.id, r.status]));
    // No Caracal service listens on the example's ports here: every HTTP check must fail, none may pass.
    for (const id of ['services.ready', 'audit.replay', 'gateway.revocation', 'audit.tamper']) expect([id, byId[id]]).toEqual([id, 'fail']);
  }, 30_000);
});

describe('caracal-chatops check --environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cc-cli-env-'));
  const twoEnvironments = join(dir, 'environments.yml');
  writeFileSync(
    twoEnvironments,
    [
      'caracal: { postgres: { url: "postgres://prod.example/caracal" } }',
      'environments:',
      '  staging: { caracal: { postgres: { url: "postgres://staging.example/caracal" } } }',
    ].join('\n'),
  );
  const where: CheckDefinition = {
    ...fixed('w.w', 'pass'),
    run: (ctx) => Promise.resolve({ status: 'pass', summary: `checked ${ctx.caracal.postgres.url ?? 'none'}` }),
  };
  const summary = (out: string[]) => (JSON.parse(out.join('')) as { results: { summary: string }[] }).results[0].summary;

  it("checks the named environment's own targets, the default one without the flag", async () => {
    const staging = io();
    expect(await checkCommand(['--json', '--config', twoEnvironments, '--environment', 'staging'], staging.io, [where])).toBe(EXIT.pass);
    expect(summary(staging.out)).toBe('checked postgres://staging.example/caracal');
    const byDefault = io();
    await checkCommand(['--json', '--config', twoEnvironments], byDefault.io, [where]);
    expect(summary(byDefault.out)).toBe('checked postgres://prod.example/caracal');
  });

  it('refuses an environment the configuration does not have: one line, exit 64, nothing checked', async () => {
    const t = io();
    expect(await cli(['check', '--config', twoEnvironments, '--environment', 'stagign'], t.io)).toBe(EXIT.usage);
    expect(t.err).toEqual([
      'caracal-chatops: check: unknown environment "stagign" (known: default, staging) (see caracal-chatops check --help)',
    ]);
    expect(t.out).toEqual([]);
  });

  it('--help lists it', async () => {
    const t = io();
    expect(await checkCommand(['--help'], t.io)).toBe(EXIT.pass);
    expect(t.out.join('')).toMatch(/\[--environment NAME\][\s\S]*--environment NAME\s+check this environment/);
  });
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
