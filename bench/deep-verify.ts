// Deep audit-chain verification over 1,000,000 rows, as the audit.chain check runs it (copy-verify.ts): rows/s
// against a raw read of the same rows and columns (COPY ... TO STDOUT, bytes only) through the same client
// from the same server in the same run, and peak RSS growth while verifying.
// Goals: verify ≥ 0.5 × raw, RSS growth < 100 MB (flat memory whatever the chain's length).
import pg from 'pg';
import { pgCopyClient } from '../src/audit/copy-client.ts';
import { DEFAULT_PAGE_SIZE, verifyAuditChainsCopy, type CopyReader } from '../src/audit/copy-verify.ts';
import { createPostgresTarget } from '../src/checks/targets/postgres.ts';
import { loadCaracalSchema } from '../test/fixtures/caracal-db.ts';
import { createTempDatabase } from '../test/helpers/pg.ts';
import { insertBulkChain } from '../test/audit/bulk-chain.ts';
import { TEST_KEY_HEX } from '../test/audit/caracal-writer.ts';
import { SCHEMA_NOW } from '../test/audit/vectors.ts';
import { emit } from './lib/stats.ts';

const ROWS = Number(process.env.BENCH_AUDIT_ROWS ?? 1_000_000);
const ZONES = 8;
const MB = 1024 * 1024;

// The verifier's own column list, read in one sequential COPY: the fastest way these bytes leave Postgres.
const RAW_SQL = `COPY (SELECT id, zone_id, event_type, request_id, decision, policy_set_id, policy_set_version_id,
  manifest_sha, evaluation_status, determining_policies_json::text, diagnostics_json::text, metadata_json::text,
  (extract(epoch FROM occurred_at) * 1000000)::bigint::text, content_sha256, prev_content_sha256, chain_hmac,
  chain_seq FROM public.audit_events) TO STDOUT`;

/** COPY TO STDOUT on pg's own client protocol (what pg-copy-streams does), counting rows by their newlines. */
class CopyOutCounter implements pg.Submittable {
  rows = 0;
  bytes = 0;
  readonly done: Promise<void>;
  private settle!: { resolve: () => void; reject: (err: Error) => void };
  constructor(private readonly text: string) {
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
  }
  submit(connection: pg.Connection): void {
    connection.query(this.text);
  }
  handleCopyData(msg: { chunk: Buffer }): void {
    this.bytes += msg.chunk.length;
    // Text COPY escapes newlines inside values, so every 0x0A ends a row.
    for (let i = msg.chunk.indexOf(10); i !== -1; i = msg.chunk.indexOf(10, i + 1)) this.rows++;
  }
  handleCommandComplete(): void {}
  handleReadyForQuery(): void {
    this.settle.resolve();
  }
  handleError(err: Error): void {
    this.settle.reject(err);
  }
}

async function rawRead(url: string): Promise<{ rows: number; ms: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const started = performance.now();
    const copy = client.query(new CopyOutCounter(RAW_SQL));
    await copy.done;
    return { rows: copy.rows, ms: performance.now() - started };
  } finally {
    await client.end();
  }
}

/** Wrap a reader to sample RSS after every page (a timer samples during pages, between socket reads). */
function sampled(reader: CopyReader, onSample: () => void): CopyReader {
  return {
    async copy(sql, onRow) {
      const rows = await reader.copy(sql, onRow);
      onSample();
      return rows;
    },
  };
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

  await rawRead(db.url); // warm the caches, so neither measured read pays for a cold start
  const raw = await rawRead(db.url);

  // The check's own settings: a 2 s statement timeout, which each page must stay well inside.
  const target = createPostgresTarget({ url: db.url, statementTimeoutMs: 2000 });
  const reader = pgCopyClient({ url: db.url, statementTimeoutMs: 2000 });
  let peakRss = 0;
  const sample = (): void => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };
  let report;
  const baseRss = process.memoryUsage().rss;
  const timer = setInterval(sample, 10);
  try {
    report = await verifyAuditChainsCopy(target, sampled(reader, sample), { hmacKeyHex: TEST_KEY_HEX });
  } finally {
    clearInterval(timer);
    await reader.end();
    await target.end();
  }
  sample();
  if (!report.ok || report.rowsChecked !== ROWS || raw.rows !== ROWS) {
    throw new Error(`bench data is wrong: verified ${report.rowsChecked} (ok=${report.ok}), raw ${raw.rows}, expected ${ROWS}`);
  }

  const verifyRate = (report.rowsChecked * 1000) / report.durationMs;
  const rawRate = (raw.rows * 1000) / raw.ms;
  const rssGrowthMb = (peakRss - baseRss) / MB;
  console.table([
    {
      rows: ROWS,
      'page rows': DEFAULT_PAGE_SIZE,
      'verify rows/s': Math.round(verifyRate),
      'raw COPY rows/s': Math.round(rawRate),
      ratio: Number((verifyRate / rawRate).toFixed(2)),
      'peak RSS growth MB': Number(rssGrowthMb.toFixed(1)),
    },
  ]);
  emit([
    {
      bench: `audit deep verify (${ROWS} rows, HMAC on)`,
      measured: `${Math.round(verifyRate)} rows/s`,
      reference: `${Math.round(rawRate)} rows/s raw COPY`,
      ratio: verifyRate / rawRate,
      goal: '≥ 0.5',
      ok: verifyRate / rawRate >= 0.5,
    },
    {
      bench: 'audit deep verify: peak RSS growth',
      measured: `${rssGrowthMb.toFixed(1)} MB`,
      reference: '100 MB',
      ratio: rssGrowthMb / 100,
      goal: '< 100 MB',
      ok: rssGrowthMb < 100,
    },
  ]);
} finally {
  await db.drop();
}
