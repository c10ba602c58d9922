// `caracal-chatops check` startup cost, from the compiled CLI (npm run build). A full check against the simulated
// Caracal, wall time, against what it cannot avoid: a bare `node -e ''` start plus the slowest check run alone
// (checks run in parallel, so the slowest bounds the run). And `--help` against a bare node start.
// Runs interleaved, side by side, medians of several rounds.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { createCheckTargets } from '../src/checks/context.ts';
import { runChecks } from '../src/checks/executor.ts';
import { ALL_CHECKS } from '../src/checks/registry.ts';
import { parseConfig } from '../src/config.ts';
import { startSimulatedCaracal } from '../src/sandbox/caracal/index.ts';
import { startRedisServer } from '../test/helpers/redis-server.ts';
import { emit, percentile } from './lib/stats.ts';

const run = promisify(execFile);
const ROOT = new URL('../', import.meta.url).pathname;
const ROUNDS = Number(process.env.BENCH_CLI_ROUNDS ?? 7);

async function wall(args: string[], env: Record<string, string>): Promise<number> {
  const start = performance.now();
  await run(process.execPath, args, { cwd: ROOT, env }).catch((err: { code?: number }) => {
    // check exits 1 (warn) or 2 (fail) by design; anything else is a broken run.
    if (err.code !== 1 && err.code !== 2) throw err;
  });
  return performance.now() - start;
}

await run(process.execPath, ['scripts/ensure-build.mjs'], { cwd: ROOT });
const redis = await startRedisServer();
const sim = await startSimulatedCaracal({ redisUrl: redis.url, syncIntervalMs: 0 });
const dir = await mkdtemp(join(tmpdir(), 'cc-bench-cli-'));
try {
  const file = { ...sim.file, caracal: { ...sim.file.caracal, redis: { ...sim.file.caracal.redis, requireAppendonly: false } } };
  const configPath = join(dir, 'config.yml');
  await writeFile(configPath, stringify(file));
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...sim.env };
  const config = parseConfig(stringify(file), sim.env);
  const targets = createCheckTargets(config);

  // Warm everything once (connections in the simulator, JIT in this process).
  await runChecks(ALL_CHECKS, targets.context, { timeoutMs: () => 10_000 });
  await wall(['bin/caracal-chatops.js', 'check', '--config', configPath], env);

  const samples = { bare: [] as number[], help: [] as number[], full: [] as number[], slowest: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    samples.bare.push(await wall(['-e', ''], env));
    samples.help.push(await wall(['bin/caracal-chatops.js', '--help'], env));
    samples.full.push(await wall(['bin/caracal-chatops.js', 'check', '--config', configPath], env));
    // Each check alone, in this warm process: the slowest is the floor for a parallel run.
    let slowest = 0;
    for (const check of ALL_CHECKS) {
      const [result] = await runChecks([check], targets.context, { timeoutMs: () => 10_000 });
      slowest = Math.max(slowest, result.durationMs);
    }
    samples.slowest.push(slowest);
  }
  await targets.close();

  const median = (v: number[]) => percentile(v, 50);
  const [bare, help, full, slowest] = [median(samples.bare), median(samples.help), median(samples.full), median(samples.slowest)];
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  const fullRatio = full / (slowest + bare);
  const helpRatio = help / bare;
  emit([
    {
      bench: 'cli.ts check (full, simulated Caracal)',
      measured: ms(full),
      reference: `slowest check ${ms(slowest)} + node ${ms(bare)}`,
      ratio: fullRatio,
      goal: '<= 1.3',
      ok: fullRatio <= 1.3,
    },
    { bench: 'cli.ts --help', measured: ms(help), reference: `node -e '' ${ms(bare)}`, ratio: helpRatio, goal: '<= 2', ok: helpRatio <= 2 },
  ]);
} finally {
  await sim.close();
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
}
