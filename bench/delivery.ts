// Delivery benchmarks (issue 14), against a local fake Slack and a throwaway database on the real Postgres:
// - throughput per channel under Slack's posting rate (1 message/s per channel) with 10 channels active
//   (goal: at least 0.9 of the rate);
// - p99 enqueue-to-delivered with 100 active runs and a Slack that takes 200 ms per call (goal: under 2 s).
import { WebClient } from '@slack/web-api';
import { createDispatcher } from '../src/delivery/dispatcher.ts';
import { createLogger } from '../src/logger.ts';
import { createMetrics } from '../src/metrics.ts';
import { createRecoveryService } from '../src/recovery/service.ts';
import { postgresDb } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { createTempDatabase } from '../test/helpers/pg.ts';
import { startFakeSlack } from './lib/fake-slack.ts';
import { emit, percentile, type BenchRow } from './lib/stats.ts';

const POLICY = {
  freshnessMs: 1,
  approvalsRequired: { freeze: 1, storage: 1, services: 1, evidence: 1, safety: 1, resume: 2 },
  requiredChecks: () => [],
};
const render = {
  dashboard: () => Promise.resolve({ text: 'dashboard', blocks: [] }),
  logEntry: (e: { id: number }) => Promise.resolve({ text: `entry ${e.id}`, blocks: [] }),
};

async function scenario(latencyMs: number, postIntervalMs: number, channels: number, notes: number) {
  const temp = await createTempDatabase('bench_delivery');
  const db = postgresDb(temp.url);
  await migrate(db);
  const slack = await startFakeSlack({ latencyMs });
  let n = 0;
  const svc = createRecoveryService({
    startPolicy: { who: 'anyone', drillChannels: [] },
    db,
    policy: POLICY,
    isApprover: () => Promise.resolve(true),
    now: () => new Date(),
    newId: () => `b${++n}x${Date.now().toString(36)}`,
  });
  const client = new WebClient('xoxb-bench', { slackApiUrl: slack.url, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
  const d = createDispatcher({
    db,
    client,
    render,
    logger: createLogger({ level: 'silent' }),
    metrics: createMetrics(),
    workerId: 'bench',
    postIntervalMs,
    settleMs: 5,
  });
  for (let c = 0; c < channels; c++) await svc.startRun({ channelId: `CB${c}`, title: 'bench', userId: 'U1' });
  await d.runNow(); // dashboards and the first entries
  const start = slack.calls.length;
  const t0 = Date.now();
  d.start(50);
  for (let i = 0; i < notes; i++) for (let c = 0; c < channels; c++) await svc.addEvent(`CB${c}`, 'U1', 'note', { text: `n${i}` });
  while ((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM deliveries WHERE status = 'pending'`)).rows[0].n > 0)
    await new Promise((r) => setTimeout(r, 50));
  await d.stop();
  const elapsedMs = Date.now() - t0;
  const lat = (
    await db.query<{ ms: number }>(
      `SELECT extract(epoch FROM delivered_at - created_at)::float8 * 1000 AS ms FROM deliveries d JOIN events e ON e.id = d.event_id WHERE e.type = 'note'`,
    )
  ).rows.map((r) => r.ms);
  const posts = slack.calls.slice(start).filter((c) => c.method === 'chat.postMessage' && c.body.get('thread_ts'));
  await slack.close();
  await db.close();
  await temp.drop();
  return { elapsedMs, lat, posts: posts.length };
}

const rows: BenchRow[] = [];
{
  const channels = 10;
  const notes = 15;
  const r = await scenario(50, 1000, channels, notes);
  // Each channel's notes went out at the paced rate; sustained rate per channel over the run.
  const perChannel = notes / ((r.elapsedMs - 0) / 1000);
  rows.push({
    bench: 'delivery: posts/s per channel, 10 channels, Slack limit 1/s',
    measured: perChannel.toFixed(3),
    reference: '1.000 (Slack)',
    ratio: perChannel / 1,
    goal: '>= 0.9',
    ok: perChannel >= 0.9 && r.posts === channels * notes,
  });
}
{
  const r = await scenario(200, 1000, 100, 1);
  const p99 = percentile(r.lat, 99);
  rows.push({
    bench: 'delivery: p99 enqueue-to-delivered, 100 runs, 200 ms Slack',
    measured: `${p99.toFixed(0)} ms`,
    reference: '2000 ms (goal)',
    ratio: p99 / 2000,
    goal: '< 1',
    ok: p99 < 2000,
  });
}
emit(rows);
process.exit(0);
