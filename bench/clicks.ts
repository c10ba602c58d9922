// Issue 3: a burst of 20 clicks on one dashboard makes at most 3 chat.update calls;
// p99 click-to-ack with 10 active runs, against a bare Bolt app that only acks (same requests, same run). The bot
// runs as `serve` does in production and bare Bolt in a process of its own; this process only sends, as Slack does.
import { randomBytes } from 'node:crypto';
import { encodePayload, gateButtonPayload } from '../src/blocks/payloads.ts';
import { ACTION } from '../src/blocks/ids.ts';
import { pendingCount } from '../src/store/deliveries.ts';
import { startBareBolt } from './lib/bare-bolt.ts';
import { postedRuns, startServedBot } from './lib/served-bot.ts';
import { postgresDb } from '../src/store/db.ts';
import { startFakeSlack } from './lib/fake-slack.ts';
import { actionBody, commandBody, timedPost } from './lib/signed.ts';
import { emit, percentile } from './lib/stats.ts';

const RUNS = 10;
const CLICKS = 300;
const CONCURRENCY = 10;

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) out.push(await fn(items[next++]));
    }),
  );
  return out;
}

const SECRET = randomBytes(16).toString('hex');
const slack = await startFakeSlack();
const approvers = Array.from({ length: 20 }, (_, i) => `UA${i}`);
const bench = await startServedBot({
  file: { recovery: { approvers: { users: approvers }, startRuns: 'anyone' } },
  env: {},
  slack: { apiUrl: slack.url, botToken: 'xoxb-bench', signingSecret: SECRET },
});
const db = postgresDb(bench.stateDb.url, { max: 2 });
for (let i = 0; i < RUNS; i++) await timedPost(bench.events, commandBody(`recover bench ${i}`, 'U0BENCH', `CRUN${i}`), SECRET);
const runs = await postedRuns(db, RUNS);

// 1. Burst: 20 different people claim the same gate at once.
const target = runs[0];
const value = encodePayload(gateButtonPayload, { v: 1, runId: target.id, gate: 'freeze' });
const updatesBefore = slack.calls.filter((c) => c.method === 'chat.update' && c.body.get('ts') === target.dashboard_ts).length;
await Promise.all(
  approvers.map((u) =>
    timedPost(bench.events, actionBody(ACTION.gateClaim, value, { user: u, channel: target.channel_id, ts: target.dashboard_ts }), SECRET),
  ),
);
// The bot's own dispatcher delivers (poked by each decision, polling meanwhile).
await new Promise((r) => setTimeout(r, 200));
for (let i = 0; i < 100 && (await pendingCount(db)) > 0; i++) await new Promise((r) => setTimeout(r, 100));
const burstUpdates =
  slack.calls.filter((c) => c.method === 'chat.update' && c.body.get('ts') === target.dashboard_ts).length - updatesBefore;

// 2. Click-to-ack latency with 10 active runs, against a bare Bolt app given the same clicks.
const clicks = Array.from({ length: CLICKS }, (_, i) => {
  const run = runs[i % runs.length];
  const v = encodePayload(gateButtonPayload, { v: 1, runId: run.id, gate: 'freeze' });
  return actionBody(ACTION.gateClaim, v, { user: `UC${i}`, channel: run.channel_id, ts: run.dashboard_ts });
});
const bare = await startBareBolt(SECRET);
await pool(clicks.slice(0, 30), CONCURRENCY, (b) => timedPost(bare.url, b, SECRET)); // warm-up
await pool(clicks.slice(0, 30), CONCURRENCY, (b) => timedPost(bench.events, b, SECRET));
const botMs = await pool(clicks, CONCURRENCY, (b) => timedPost(bench.events, b, SECRET));
const bareMs = await pool(clicks, CONCURRENCY, (b) => timedPost(bare.url, b, SECRET));
const p99Bot = percentile(botMs, 99);
const p99Bare = percentile(bareMs, 99);

emit([
  {
    bench: 'clicks: chat.update per 20-click burst',
    measured: `${burstUpdates} updates`,
    reference: '20 clicks',
    ratio: burstUpdates / 20,
    goal: '<= 3 updates',
    ok: burstUpdates <= 3,
  },
  {
    bench: 'clicks: p99 click-to-ack, 10 active runs',
    measured: `${p99Bot.toFixed(1)} ms`,
    reference: `bare Bolt ${p99Bare.toFixed(1)} ms`,
    ratio: p99Bot / p99Bare,
    goal: '< 100 ms',
    ok: p99Bot < 100,
  },
]);
await bare.stop();
await new Promise((r) => setTimeout(r, 500));
await db.close();
await bench.stop();
await slack.close();
