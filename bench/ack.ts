// Issues 2 and 14: p99 ack latency against a bare Bolt app that only acks, same requests, same run, side by side:
// - `/caracal status` (acked first; the real bot runs every real check after each ack, against a local green Caracal);
// - save before ack (issue 14 item 8): `/caracal note` and a Claim click, each saved in the state database (the
//   request inbox) before its ack (goal: p99 at most 1.2 times bare Bolt's).
// Both apps run in processes of their own (the bot as `serve` runs it in production): this process only sends, as
// Slack does, so what the bot does after an ack counts against the bot only when it delays the bot's next acks.
import { randomBytes } from 'node:crypto';
import { ACTION } from '../src/blocks/ids.ts';
import { encodePayload, gateButtonPayload } from '../src/blocks/payloads.ts';
import { startGreenCaracal } from '../test/helpers/green-caracal.ts';
import { startBareBolt } from './lib/bare-bolt.ts';
import { postedRuns, startServedBot } from './lib/served-bot.ts';
import { postgresDb } from '../src/store/db.ts';
import { startFakeSlack } from './lib/fake-slack.ts';
import { actionBody, commandBody, timedPost } from './lib/signed.ts';
import { emit, percentile, type BenchRow } from './lib/stats.ts';

// 800 per side: with 200, the p99 (the 2nd worst) moved by half between runs of the same code.
const REQUESTS = 800;
const CONCURRENCY = 20;
const RUNS = 5;

/** Waves alternate between the two apps, so both see the same background load (reports, deliveries). */
async function measure(urls: { bot: string; bare: string }, body: (i: number) => string): Promise<{ bot: number[]; bare: number[] }> {
  const out = { bot: [] as number[], bare: [] as number[] };
  const wave = (url: string, from: number) =>
    Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => timedPost(url, body(from + i), SECRET)));
  for (let sent = 0; sent < REQUESTS; sent += CONCURRENCY) {
    out.bare.push(...(await wave(urls.bare, sent)));
    out.bot.push(...(await wave(urls.bot, sent)));
    await new Promise((r) => setTimeout(r, 250));
  }
  return out;
}

function row(bench: string, r: { bot: number[]; bare: number[] }, goal: number): BenchRow {
  const p99Bot = percentile(r.bot, 99);
  const p99Bare = percentile(r.bare, 99);
  return {
    bench,
    measured: `${p99Bot.toFixed(1)} ms`,
    reference: `bare Bolt ${p99Bare.toFixed(1)} ms`,
    ratio: p99Bot / p99Bare,
    goal: `<= ${goal}`,
    ok: p99Bot / p99Bare <= goal,
  };
}

const SECRET = randomBytes(16).toString('hex');
const green = await startGreenCaracal();
const slack = await startFakeSlack();
const served = await startServedBot({
  file: { ...green.file, slack: { reportUpdateIntervalMs: 1000 }, recovery: { approvers: { users: ['UAPPROVER'] }, startRuns: 'anyone' } },
  env: green.env,
  slack: { apiUrl: slack.url, botToken: 'xoxb-bench', signingSecret: SECRET },
});
const state = postgresDb(served.stateDb.url, { max: 2 });
const bare = await startBareBolt(SECRET);
const urls = { bot: served.events, bare: bare.url };
const status = (i: number) => commandBody('status', `U${i % 20}`, `CACK${i % 5}`);
await Promise.all([timedPost(bare.url, status(0), SECRET), timedPost(urls.bot, status(0), SECRET)]); // warm-up
for (let i = 0; i < RUNS; i++) await timedPost(urls.bot, commandBody(`recover bench ${i}`, 'UAPPROVER', `CSAVE${i}`), SECRET);
const runs = await postedRuns(state, RUNS);
const note = (i: number) => commandBody(`note bench note ${i}: restarted gateway-${i % 3}`, `U${i % 20}`, `CSAVE${i % RUNS}`);
const claim = (i: number) => {
  const run = runs[i % runs.length];
  return actionBody(ACTION.gateClaim, encodePayload(gateButtonPayload, { v: 1, runId: run.id, gate: 'freeze' }), {
    user: `UC${i % 20}`,
    channel: run.channel_id,
    ts: run.dashboard_ts,
  });
};
await measure(urls, note); // warm-up of the save path
await new Promise((r) => setTimeout(r, 1000));
const rows: BenchRow[] = [
  row('ack: p99 /caracal status, 20 concurrent (ack first)', await measure(urls, status), 1.5),
  row('ack: p99 /caracal note, 20 concurrent (saved before ack)', await measure(urls, note), 1.2),
  row('ack: p99 Claim click, 20 concurrent (saved before ack)', await measure(urls, claim), 1.2),
];
emit(rows);
await new Promise((r) => setTimeout(r, 3000)); // let the last reports finish before closing their targets
await bare.stop();
await state.close();
await served.stop();
await slack.close();
await green.close();
