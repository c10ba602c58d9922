// The compiled entries, run as processes the way production and a newcomer run them: what each loads, what it
// refuses, and how it stops. dist/ is built by the global setup (scripts/ensure-build.mjs). The sandbox's bound is
// wide: PGlite's start took 50 s on a 2-CPU machine at load 16.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../helpers/faults.ts';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const TRACE = join(ROOT, 'test/fixtures/trace-imports.mjs');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cc-entries-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const baseEnv = () => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' });

/** Runs a node entry with the import tracer; resolves with its exit code, output and every module it loaded. */
async function traced(args: string[], env: Record<string, string>, name: string) {
  const traceFile = join(dir, `${name}.trace`);
  const result = await run(process.execPath, ['--import', TRACE, ...args], {
    cwd: ROOT,
    env: { ...baseEnv(), ...env, TRACE_IMPORTS_FILE: traceFile },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
  const modules = (await readFile(traceFile, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  return { ...result, modules };
}

const HEAVY = [/@slack\/bolt/, /@electric-sql\/pglite/, /\/dist\/sandbox\//, /\/dist\/slack\//, /\/dist\/store\//];

describe('compiled entries', () => {
  it('check runs from dist/ without Bolt, PGlite, the state database or the simulator', async () => {
    const r = await traced(
      ['bin/caracal-chatops.js', 'check', '--config', 'config.example.yml', '--only', 'postgres.reachable'],
      { PGCONNECT_TIMEOUT: '2' },
      'check',
    );
    expect(r.code, r.stderr).toBe(2); // caracal_readonly does not exist on the local Postgres: fails closed
    expect(r.modules.some((m) => /\/dist\/cli\/chunks\/check-\w+\.js$/.test(m))).toBe(true);
    expect(r.modules.some((m) => m.endsWith('.ts'))).toBe(false);
    for (const heavy of HEAVY) expect(r.modules.filter((m) => heavy.test(m))).toEqual([]);
  }, 60_000);

  it('--help loads nothing but the dispatcher', async () => {
    const r = await traced(['bin/caracal-chatops.js', '--help'], {}, 'help');
    expect(r.code).toBe(0);
    expect(
      r.modules.filter((m) => m.startsWith('file:') && !m.includes('/test/fixtures/')).map((m) => m.replace(/.*\/(bin|dist)\//, '$1/')),
    ).toEqual(expect.arrayContaining(['bin/caracal-chatops.js', 'dist/cli/main.bundle.js']));
    expect(r.modules.filter((m) => /node_modules|\/dist\/(checks|config)|\/chunks\/check-/.test(m))).toEqual([]);
  }, 30_000);

  it('serve without credentials lists every missing one, exits 78 and never loads the sandbox', async () => {
    const r = await traced(['bin/caracal-chatops.js', 'serve'], {}, 'serve');
    expect(r.code).toBe(78);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    for (const s of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET']) expect(r.stderr).toContain(s);
    expect(r.stdout).not.toMatch(/SANDBOX/);
    expect(r.modules.filter((m) => /\/dist\/sandbox\/|pglite/.test(m))).toEqual([]);
  }, 30_000);

  it('npm start (dist/main.js) with partial Slack credentials refuses and names the missing one, never the sandbox', async () => {
    const r = await traced(['dist/main.js'], { SLACK_BOT_TOKEN: 'xoxb-partial' }, 'start-partial');
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('SLACK_SIGNING_SECRET');
    expect(r.modules.filter((m) => /\/dist\/sandbox\//.test(m))).toEqual([]);
  }, 30_000);

  it('sandbox ignores STATE_DATABASE_URL, says it is the sandbox, and on SIGTERM stops with exit 0 and its last log line written', async () => {
    const deadPort = String(await closedPort());
    const env = {
      ...baseEnv(),
      SANDBOX_ALERTING: 'off',
      SANDBOX_PORT: '0',
      SANDBOX_REDIS_URL: `redis://127.0.0.1:${deadPort}`,
      // An external state database that does not answer: the sandbox must not even try it.
      STATE_DATABASE_URL: `postgres://nobody@127.0.0.1:${deadPort}/state`,
    };
    const child = spawn(process.execPath, ['bin/caracal-chatops.js', 'sandbox'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    child.stdout.on('data', (c: Buffer) => output.push(c.toString()));
    child.stderr.on('data', (c: Buffer) => output.push(c.toString()));
    try {
      await expect.poll(() => /Page: +http:\/\/127\.0\.0\.1:\d+\//.test(output.join('')), { timeout: 150_000, interval: 100 }).toBe(true);
      expect(output.join('')).toContain('SANDBOX:');
      expect(output.join('')).toMatch(/"kind":"pglite"[^\n]*state database ready/);
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code, output.join('')).toBe(0);
      const lines = output.join('').trim().split('\n');
      expect(lines.at(-1)).toMatch(/"msg":"stopped"/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 240_000);
});
