// Deep audit-chain verification over 1,000,000 rows, as the audit.chain check runs it (src/audit/verify.ts):
// rows/s against a raw read of the same rows and columns (COPY ... TO STDOUT, bytes only, through the same
// library) from the same server, side by side in each of 3 runs, and peak RSS growth while verifying.
// Goals: verify ≥ 0.9 × raw (min and median of the 3 runs reported), RSS growth < 100 MB.
// The verifier runs from dist/ (npm run build), as production runs it: its worker threads load plain JavaScript,
// where from the sources each would compile them first. BENCH_AUDIT_THREADS sets the pool (default: the verifier's).
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type * as CopyClientModule from '../src/audit/copy-client.ts';
import type * as VerifyModule from '../src/audit/verify.ts';
import { loadCaracalSchema } from '../test/fixtures/caracal-db.ts';
import { createTempDatabase } from '../test/helpers/pg.ts';
import { insertBulkChain } from '../test/audit/bulk-chain.ts';
import { TEST_KEY_HEX } from '../test/audit/caracal-writer.ts';
import { SCHEMA_NOW } from '../test/audit/vectors.ts';
import { emit, percentile } from './lib/stats.ts';

execFileSync(process.execPath, ['scripts/ensure-build.mjs'], { stdio: 'inherit', cwd: new URL('..', import.meta.url).pathname });
const dist = (path: string): string => new URL(`../dist/audit/${path}`, import.meta.url).href;
const { pgCopyClient } = (await import(dist('copy-client.js'))) as typeof CopyClientModule;
const { DEFAULT_THREADS, SWEEP_SQL, verifyAuditChains } = (await import(dist('verify.js'))) as typeof VerifyModule;

const ROWS = Number(process.env.BENCH_AUDIT_ROWS ?? 1_000_000);
const THREADS = process.env.BENCH_AUDIT_THREADS === undefined ? DEFAULT_THREADS : Number(process.env.BENCH_AUDIT_THREADS);
const RUNS = 3;
const ZONES = 8;
const MB = 1024 * 1024;

// The verifier's columns in text, in one sequential COPY with no ORDER BY: the cheapest way these rows leave
// Postgres, so the reference the goal is judged against.
const RAW_SQL = `COPY (SELECT id, zone_id, event_type, request_id, decision, policy_set_id, policy_set_version_id,
  manifest_sha, evaluation_status, determining_policies_json::text, diagnostics_json::text, metadata_json::text,
  (extract(epoch FROM occurred_at) * 1000000)::bigint::text, content_sha256, prev_content_sha256, chain_hmac,
  chain_seq FROM public.audit_events) TO STDOUT`;

/** Read a COPY's bytes and drop them; ms elapsed. */
async function rawRead(url: string, sql: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const started = performance.now();
    let bytes = 0;
    for await (const chunk of client.query(copyTo(sql))) bytes += (chunk as Buffer).length;
    if (bytes === 0) throw new Error('raw read returned nothing');
    return performance.now() - started;
  } finally {
    await client.end();
  }
}

/** This process's CPU seconds (all threads) since `from`. */
const cpuSince = (from: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1e6;
};

async function verifyOnce(url: string): Promise<{ ms: number; rssGrowthMb: number; cpuS: number }> {
  const reader = pgCopyClient({ url, statementTimeoutMs: 2000 });
  let peakRss = 0;
  const sample = (): void => void (peakRss = Math.max(peakRss, process.memoryUsage().rss));
  const baseRss = process.memoryUsage().rss;
  // A timer samples between chunks; the wrapped reader samples after every chunk.
  const timer = setInterval(sample, 10);
  const cpu = process.cpuUsage();
  try {
    const report = await verifyAuditChains(
      { copyOut: (sql, onChunk, signal, settings) => reader.copyOut(sql, (chunk) => (onChunk(chunk), sample()), signal, settings) },
      { hmacKeyHex: TEST_KEY_HEX, threads: THREADS },
    );
    if (!report.ok || report.rowsChecked !== ROWS)
      throw new Error(`bench data is wrong: verified ${report.rowsChecked} (ok=${report.ok}), expected ${ROWS}`);
    sample();
    return { ms: report.durationMs, rssGrowthMb: (peakRss - baseRss) / MB, cpuS: cpuSince(cpu) };
  } finally {
    clearInterval(timer);
    await reader.end();
  }
}

const db = await createTempDatabase('benchaudit');
try {
  await loadCaracalSchema(db, SCHEMA_NOW);
  const loadStarted = performance.now();
  // ~34 h of events from 2026-01-31T12:00Z, across the February partition boundary.
  const startMicros = BigInt(Date.parse('2026-01-31T12:00:00Z')) * 1000n + 1n;
  const stepMicros = Math.floor((34 * 3600 * 1e6) / ROWS);
  await insertBulkChain(db, { rows: ROWS, zones: ZONES, startMicros, stepMicros, keyHex: TEST_KEY_HEX });
  await db.exec('VACUUM (ANALYZE) public.audit_events');
  console.log(`loaded ${ROWS} rows in ${ZONES} zones in ${Math.round(performance.now() - loadStarted)} ms`);

  await rawRead(db.url, RAW_SQL); // warm the caches, so no measured read pays for a cold start
  const runs = [];
  for (let run = 0; run < RUNS; run++) {
    const rawCpu = process.cpuUsage();
    const raw = await rawRead(db.url, RAW_SQL);
    const rawCpuS = cpuSince(rawCpu);
    const own = await rawRead(db.url, SWEEP_SQL);
    const verify = await verifyOnce(db.url);
    runs.push({
      run: run + 1,
      'raw rows/s': Math.round((ROWS * 1000) / raw),
      'sweep SQL raw rows/s': Math.round((ROWS * 1000) / own),
      'verify rows/s': Math.round((ROWS * 1000) / verify.ms),
      ratio: raw / verify.ms,
      'vs sweep SQL': own / verify.ms,
      'peak RSS growth MB': Number(verify.rssGrowthMb.toFixed(1)),
      // Where the time goes on a small machine: the verifier's hashing competes with Postgres for the CPUs.
      'raw node CPU s': Number(rawCpuS.toFixed(2)),
      'verify node CPU s': Number(verify.cpuS.toFixed(2)),
    });
  }
  console.table(runs.map((r) => ({ ...r, ratio: r.ratio.toFixed(2), 'vs sweep SQL': r['vs sweep SQL'].toFixed(2) })));

  const ratios = runs.map((r) => r.ratio);
  const min = Math.min(...ratios);
  const median = percentile(ratios, 50);
  const rss = Math.max(...runs.map((r) => r['peak RSS growth MB']));
  emit([
    {
      bench: `audit deep verify (${ROWS} rows, HMAC on, ${THREADS} worker threads, ${RUNS} runs)`,
      measured: `ratio min ${min.toFixed(2)}, median ${median.toFixed(2)}`,
      reference: `raw COPY, median ${Math.round(
        percentile(
          runs.map((r) => r['raw rows/s']),
          50,
        ),
      )} rows/s`,
      ratio: median,
      goal: '≥ 0.9 (median)',
      ok: median >= 0.9,
    },
    {
      bench: 'audit deep verify: peak RSS growth',
      measured: `${rss.toFixed(1)} MB`,
      reference: '100 MB',
      ratio: rss / 100,
      goal: '< 100 MB',
      ok: rss < 100,
    },
  ]);
} finally {
  await db.drop();
}
