// Issue 2: p99 ack latency of `/caracal status` (signed HTTP, 20 concurrent) against a bare Bolt app that only
// acks, same requests, same run. The real bot runs every real check after each ack (against a local green Caracal).
import { ALL_CHECKS } from '../src/checks/registry.ts';
import { startGreenCaracal } from '../test/helpers/green-caracal.ts';
import { startBareBolt } from './lib/bare-bolt.ts';
import { SECRET, startBenchBot } from './lib/bot.ts';
import { startFakeSlack } from './lib/fake-slack.ts';
import { commandBody, timedPost } from './lib/signed.ts';
import { emit, percentile } from './lib/stats.ts';

const REQUESTS = 200;
const CONCURRENCY = 20;

const wave = (url: string) => Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => timedPost(url, commandBody('status', `U${i}`, `CACK${i % 5}`), SECRET)));

/** Waves alternate between the two apps, so both see the same background load (the bot's running reports). */
async function measure(urls: { bot: string; bare: string }): Promise<{ bot: number[]; bare: number[] }> {
  const out = { bot: [] as number[], bare: [] as number[] };
  for (let sent = 0; sent < REQUESTS; sent += CONCURRENCY) {
    out.bare.push(...(await wave(urls.bare)));
    out.bot.push(...(await wave(urls.bot)));
    await new Promise((r) => setTimeout(r, 250));
  }
  return out;
}

const green = await startGreenCaracal();
const slack = await startFakeSlack();
const bot = await startBenchBot({ slackApiUrl: slack.url, checks: ALL_CHECKS, file: { ...green.file, slack: { reportUpdateIntervalMs: 1000 } } });
const bare = await startBareBolt(SECRET);
await Promise.all([wave(bare.url), wave(bot.url)]); // warm-up
await new Promise((r) => setTimeout(r, 1000));
const { bot: botMs, bare: bareMs } = await measure({ bot: bot.url, bare: bare.url });
const p99Bot = percentile(botMs, 99);
const p99Bare = percentile(bareMs, 99);
emit([
  { bench: 'ack: p99 /caracal status, 20 concurrent', measured: `${p99Bot.toFixed(1)} ms`, reference: `bare Bolt ${p99Bare.toFixed(1)} ms`, ratio: p99Bot / p99Bare, goal: '<= 1.5', ok: p99Bot / p99Bare <= 1.5 },
]);
await new Promise((r) => setTimeout(r, 3000)); // let the last reports finish before closing their targets
await bare.stop();
await bot.stop();
await slack.close();
await green.close();
