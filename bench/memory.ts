// Issue 6: resident memory of the bot idle, and after 1,000 status reports (goal: growth under 20 MB).
// Real checks against a local green Caracal; reports through signed HTTP; memory read after a full GC.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ALL_CHECKS } from '../src/checks/registry.ts';
import { startGreenCaracal } from '../test/helpers/green-caracal.ts';
import { SECRET, startBenchBot } from './lib/bot.ts';
import { startFakeSlack } from './lib/fake-slack.ts';
import { commandBody, timedPost } from './lib/signed.ts';
import { emit } from './lib/stats.ts';

const REPORTS = 1000;
const CONCURRENCY = 20;
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function settledRss(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 200));
  }
  return process.memoryUsage().rss / 1024 / 1024;
}

const green = await startGreenCaracal();
const slack = await startFakeSlack();
const bench = await startBenchBot({
  slackApiUrl: slack.url,
  checks: ALL_CHECKS,
  file: { ...green.file, slack: { reportUpdateIntervalMs: 1000 } },
});
// Warm up every code path once (JIT, pools) before the idle reading.
for (let i = 0; i < CONCURRENCY; i++) await timedPost(bench.url, commandBody('status', 'U0WARM', `CMEMW${i}`), SECRET);
await bench.bot.idle();
slack.calls.length = 0;
const idle = await settledRss();
for (let sent = 0; sent < REPORTS; sent += CONCURRENCY) {
  await Promise.all(
    Array.from({ length: CONCURRENCY }, (_, i) => timedPost(bench.url, commandBody('status', `U${i}`, `CMEM${(sent + i) % 50}`), SECRET)),
  );
  await bench.bot.idle();
  slack.calls.length = 0; // the fake Slack's own call log is not the bot's memory
}
const after = await settledRss();
const growth = after - idle;
emit([
  {
    bench: `memory: RSS growth after ${REPORTS} status reports`,
    measured: `${after.toFixed(1)} MB (+${growth.toFixed(1)})`,
    reference: `idle ${idle.toFixed(1)} MB`,
    ratio: after / idle,
    goal: 'growth < 20 MB',
    ok: growth < 20,
  },
]);
await bench.stop();
await slack.close();
await green.close();
