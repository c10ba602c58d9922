// CLI conventions (issue 10 item 8): usage, one-line errors with distinct exit codes, --only/--gate/--format, and
// --sandbox reading the files the running sandbox writes.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCommand } from '../../src/cli/check.ts';
import { cli } from '../../src/cli/dispatch.ts';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { sandboxFiles } from '../../src/cli/sandbox-target.ts';
import type { CheckDefinition } from '../../src/checks/types.ts';
import type { Gate } from '../../src/domain/gates.ts';
import type { Verdict } from '../../src/domain/check-result.ts';
import { startRedisServer, type OwnRedis } from '../helpers/redis-server.ts';

let dir: string;
let emptyConfig: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cc-cli-conv-'));
  emptyConfig = join(dir, 'empty.yml');
  await writeFile(emptyConfig, '');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function capture(env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), env } };
}

function fixed(id: string, status: Verdict, gates: Gate[] = ['storage']): CheckDefinition {
  return {
    id,
    title: id,
    gates,
    reads: '-',
    run: () => Promise.resolve({ status, summary: `${id} is ${status} & <done>`, remedy: 'do the thing' }),
  };
}

const oneLine = (lines: string[]) => {
  const text = lines.join('\n');
  expect(text.trim().split('\n')).toHaveLength(1);
  expect(text).not.toMatch(/\n\s+at /); // no stack trace
  return text;
};

describe('usage and exit codes', () => {
  it('a bare call prints the usage on stderr and exits 64; --help prints it on stdout and exits 0', async () => {
    const bare = capture();
    expect(await cli([], bare.io)).toBe(EXIT.usage);
    expect(bare.err.join('')).toMatch(/usage: caracal-chatops <command>/);
    expect(bare.out).toEqual([]);
    const help = capture();
    expect(await cli(['--help'], help.io)).toBe(EXIT.pass);
    expect(help.out.join('')).toMatch(/exit codes: 0 pass.*1 warn, 2 fail, 64 usage.*78 configuration/);
    const checkHelp = capture();
    expect(await cli(['check', '--help'], checkHelp.io)).toBe(EXIT.pass);
    expect(checkHelp.out.join('')).toMatch(/--only IDS[\s\S]*--gate GATE[\s\S]*--format F/);
  });

  it.each([
    [['check', '--bogus'], /Unknown option '--bogus'/],
    [['check', 'positional'], /Unexpected argument 'positional'/],
    [['check', '--format', 'xml'], /unknown format "xml"/],
    [['check', '--gate', 'nope'], /unknown gate "nope"/],
    [['check', '--only', 'postgres.reachable,no.such'], /unknown check no\.such/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('%j is a one-line usage error, exit 64', async (argv, message) => {
    const t = capture({ CARACAL_CHATOPS_CONFIG: emptyConfig });
    expect(await cli(argv, t.io)).toBe(EXIT.usage);
    expect(oneLine(t.err)).toMatch(message);
  });

  it('an invalid config file is one line listing its problems, exit 78', async () => {
    const bad = join(dir, 'bad.yml');
    await writeFile(bad, 'caracal:\n  postgres:\n    url: mysql://nope\nthresholds:\n  bogus: 1\n');
    const t = capture();
    expect(await cli(['check', '--config', bad], t.io)).toBe(EXIT.config);
    const text = oneLine(t.err);
    expect(text).toContain('caracal.postgres.url: must be a postgres:// URL');
    expect(text).toContain('bogus');
  });

  it('no config at all says how to give one, exit 78', async () => {
    const t = capture({});
    expect(await cli(['check'], t.io)).toBe(EXIT.config);
    expect(oneLine(t.err)).toMatch(/--config FILE.*CARACAL_CHATOPS_CONFIG.*--sandbox/);
  });
});

describe('choosing checks and formats', () => {
  const checks = [
    fixed('a.one', 'pass', ['storage']),
    fixed('b.two', 'warn', ['services']),
    fixed('c.three', 'fail', ['services', 'resume']),
  ];

  it('--only runs the named checks (comma-separated or repeated); the verdict is theirs', async () => {
    const t = capture({ CARACAL_CHATOPS_CONFIG: emptyConfig });
    expect(await checkCommand(['--only', 'a.one,b.two', '--format', 'json'], t.io, checks)).toBe(EXIT.warn);
    const parsed = JSON.parse(t.out.join('')) as { verdict: string; results: { id: string }[] };
    expect(parsed.results.map((r) => r.id)).toEqual(['a.one', 'b.two']);
    const repeated = capture({ CARACAL_CHATOPS_CONFIG: emptyConfig });
    expect(await checkCommand(['--only', 'a.one', '--only', 'c.three', '--json'], repeated.io, checks)).toBe(EXIT.fail);
  });

  it('--gate runs the checks of one gate', async () => {
    const t = capture({ CARACAL_CHATOPS_CONFIG: emptyConfig });
    expect(await checkCommand(['--gate', 'storage'], t.io, checks)).toBe(EXIT.pass);
    expect(t.out.join('')).toContain('a.one');
    expect(t.out.join('')).not.toContain('b.two');
  });

  it('--format junit writes one testcase per check: failure for fail, system-out for warn, escaped', async () => {
    const t = capture({ CARACAL_CHATOPS_CONFIG: emptyConfig });
    expect(await checkCommand(['--format', 'junit'], t.io, checks)).toBe(EXIT.fail);
    const xml = t.out.join('');
    expect(xml).toMatch(/^<\?xml version="1.0"/);
    expect(xml).toContain('<testsuite name="caracal-chatops" tests="3" failures="1" errors="0"');
    expect(xml).toContain('<testcase classname="storage" name="a.one"');
    expect(xml).toMatch(
      /<testcase classname="services" name="c.three"[^>]*>\s*<failure message="c.three is fail &amp; &lt;done&gt;" type="fail">/,
    );
    expect(xml).toMatch(/name="b.two"[^>]*>\s*<system-out>WARN: b.two is warn/);
  });
});

describe('check --sandbox', () => {
  let redis: OwnRedis;
  let tmp: string;
  beforeAll(async () => {
    redis = await startRedisServer(['--requirepass', 'sandbox-redis-secret']);
    tmp = await mkdtemp(join(tmpdir(), 'cc-tmpdir-'));
  });
  afterAll(async () => {
    await redis?.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  it('says the sandbox is not running when its files are absent, exit 78', async () => {
    const t = capture({ TMPDIR: tmp });
    expect(await cli(['check', '--sandbox'], t.io)).toBe(EXIT.config);
    expect(oneLine(t.err)).toContain(`the sandbox is not running (no ${join(tmp, 'caracal-chatops-sandbox', 'config.yml')})`);
  });

  it('reads the config and secrets the sandbox wrote, and ignores the operator environment', async () => {
    const files = sandboxFiles({ TMPDIR: tmp });
    expect(files.dir).toBe(join(tmp, 'caracal-chatops-sandbox'));
    await mkdir(files.dir, { recursive: true });
    await writeFile(files.config, `caracal:\n  redis:\n    url: ${redis.url}/0\n    requireAppendonly: false\n`);
    await writeFile(files.env, JSON.stringify({ CARACAL_REDIS_PASSWORD: 'sandbox-redis-secret' }));
    // The operator's own (wrong for the sandbox) password must not be used.
    const t = capture({ TMPDIR: tmp, CARACAL_REDIS_PASSWORD: 'operator-real-password', CARACAL_CHATOPS_CONFIG: emptyConfig });
    const code = await cli(['check', '--sandbox', '--only', 'redis.reachable', '--format', 'json'], t.io);
    const parsed = JSON.parse(t.out.join('')) as { results: { id: string; status: string; summary: string }[] };
    expect(parsed.results[0]?.status, parsed.results[0]?.summary).not.toBe('fail');
    expect([EXIT.pass, EXIT.warn]).toContain(code);
  });

  it('--sandbox with --config is a usage error', async () => {
    const t = capture({ TMPDIR: tmp });
    expect(await cli(['check', '--sandbox', '--config', emptyConfig], t.io)).toBe(EXIT.usage);
  });
});
