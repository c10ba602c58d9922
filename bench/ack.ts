// Issues 2 and 14: p99 ack latency against a bare Bolt app that only acks, same requests, same run, side by side:
// - `/caracal status` (acked first; the real bot runs every real check after each ack, against a local green Caracal);
// - save before ack (issue 14 item 8): `/caracal note` and a Claim click, each saved in the state database (the
//   request inbox) before its ack (goal: p99 at most 1.2 times bare Bolt's).
// A third app measured alongside is the floor under any save before ack: bare Bolt that saves each request in one
// batched INSERT before acking (bench/lib/bare-bolt-server.ts). The bot's saved requests are also measured against
// it (goal 1.2): what the bot adds to the cheapest save, apart from what the save itself costs on this machine.
// All three apps run in processes of their own (the bot as `serve` runs it in production): this process only sends,
// as Slack does, so what the bot does after an ack counts against the bot only when it delays the bot's next acks.
import { randomBytes } from 'node:crypto';
import { ACTION } from '../src/blocks/ids.ts';
import { encodePayload, gateButtonPayload } from '../src/blocks/payloads.ts';
import { startGreenCaracal } from '../test/helpers/green-caracal.ts';
import { createTempDatabase } from '../test/helpers/pg.ts';
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

type Apps<T> = { bot: T; bare: T; saving: T };

/**
 * Waves go to each app in turn, so all see the same background load (reports, deliveries); the bot's wave comes
 * last, and the pause lets its decisions finish before the next round.
 */
async function measure(urls: Apps<string>, body: (i: number) => string): Promise<Apps<number[]>> {
  const out: Apps<number[]> = { bot: [], bare: [], saving: [] };
  const wave = (url: string, from: number) =>
    Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => timedPost(url, body(from + i), SECRET)));
  for (let sent = 0; sent < REQUESTS; sent += CONCURRENCY) {
    out.bare.push(...(await wave(urls.bare, sent)));
    out.saving.push(...(await wave(urls.saving, sent)));
    out.bot.push(...(await wave(urls.bot, sent)));
    await new Promise((r) => setTimeout(r, 250));
  }
  return out;
}

const ms = (v: number) => `${v.toFixed(1)} ms`;
function row(bench: string, measured: number, reference: number, referenceName: string, goal: number): BenchRow {
  return {
    bench,
    measured: ms(measured),
    reference: `${referenceName} ${ms(reference)}`,
    ratio: measured / reference,
    goal: `<= ${goal}`,
    ok: measured / reference <= goal,
  };
}

/** Against bare Bolt (the goal) and, for a saved request, against Bolt saving first (the floor). */
function rows(what: string, r: Apps<number[]>, goal: number, saved: boolean): BenchRow[] {
  const [bot, bare, saving] = [percentile(r.bot, 99), percentile(r.bare, 99), percentile(r.saving, 99)];
  const vsBare = row(`ack: p99 ${what}, 20 concurrent`, bot, bare, 'bare Bolt', goal);
  if (!saved) return [vsBare];
  return [
    { ...vsBare, reference: `${vsBare.reference}; Bolt saving first ${ms(saving)} (${(saving / bare).toFixed(2)} times)` },
    row(`ack: p99 ${what} against Bolt saving first`, bot, saving, 'Bolt saving first', 1.2),
  ];
}

const SECRET = randomBytes(16).toString('hex');
const green = await startGreenCaracal();
const slack = await startFakeSlack();
const served = await startServedBot({
  file: {
    ...green.file,
    slack: { reportUpdateIntervalMs: 1000 },
    recovery: { approvers: { users: ['UAPPROVER'] }, startRuns: 'anyone' },
    // Every note is recorded, so every one is saved before its ack: a note past its limit is refused in the ack
    // without a save (src/commands/note.ts admit), which is not what this row measures.
    limits: { notesPerUserPerMinute: 100_000, notesPerChannelPerMinute: 100_000 },
  },
  env: green.env,
  slack: { apiUrl: slack.url, botToken: 'xoxb-bench', signingSecret: SECRET },
});
const state = postgresDb(served.stateDb.url, { max: 2 });
const bare = await startBareBolt(SECRET);
const savingDb = await createTempDatabase('bench_saving');
await savingDb.exec('CREATE TABLE saved (id bigserial PRIMARY KEY, body jsonb NOT NULL)');
const saving = await startBareBolt(SECRET, savingDb.url);
const urls = { bot: served.events, bare: bare.url, saving: saving.url };
const status = (i: number) => commandBody('status', `U${i % 20}`, `CACK${i % 5}`);
await Promise.all(Object.values(urls).map((url) => timedPost(url, status(0), SECRET))); // warm-up
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
emit([
  ...rows('/caracal status (ack first)', await measure(urls, status), 1.5, false),
  ...rows('/caracal note (saved before ack)', await measure(urls, note), 1.2, true),
  ...rows('Claim click (saved before ack)', await measure(urls, claim), 1.2, true),
]);
await new Promise((r) => setTimeout(r, 3000)); // let the last reports finish before closing their targets
await bare.stop();
await saving.stop();
await savingDb.drop();
await state.close();
await served.stop();
await slack.close();
await green.close();
