// `npm run bench`: every bench/ script in its own process; one table of ratios, each against its reference
// measured in the same run.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { startRedisServer } from '../test/helpers/redis-server.ts';
import { printRows, type BenchRow } from './lib/stats.ts';

const run = promisify(execFile);
// `npm run bench -- ack clicks` runs only those; no names: every one.
const only = process.argv.slice(2);
const scripts = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.ts') && f !== 'run-all.ts' && (only.length === 0 || only.includes(f.replace(/\.ts$/, ''))))
  .sort();
const rows: BenchRow[] = [];
// Benches that borrow the tests' helpers lease Redis databases as the tests do: from a redis-server of their own,
// never from a Redis that runs on this machine for something else.
const redis = await startRedisServer();
const env = { ...process.env, TEST_REDIS_URL: redis.url };
for (const script of scripts) {
  process.stderr.write(`bench/${script}…\n`);
  try {
    const { stdout } = await run('npx', ['tsx', `bench/${script}`], { maxBuffer: 16 * 1024 * 1024, timeout: 15 * 60_000, env });
    for (const line of stdout.split('\n')) if (line.startsWith('BENCH_JSON ')) rows.push(...(JSON.parse(line.slice(11)) as BenchRow[]));
  } catch (err) {
    rows.push({ bench: script, measured: 'crashed', reference: '-', ratio: NaN, goal: '-', ok: false });
    process.stderr.write(`${(err as Error).message}\n`);
  }
}
await redis.stop();
printRows(rows);
process.exitCode = rows.every((r) => r.ok) ? 0 : 1;
