// The bot as deployed, for benchmarks: `caracal-chatops serve` from dist/ in a process of its own, with a state
// database and files of its own and the production defaults. The bench process then plays what is around it (Slack,
// the people, Caracal), and the bot's numbers are the bot's: in one process with it, the senders' CPU counted as
// the bot's, and work the bot does after an ack delayed the sender reading that ack (Slack reads it at once).
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createTempDatabase, type TempDatabase } from '../../test/helpers/pg.ts';
import { freePort } from '../../test/helpers/free-port.ts';
import type { Queryable } from '../../src/store/db.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

export interface ServedBot {
  /** Where Slack sends requests (`…/slack/events`). */
  events: string;
  /** The bot's base URL (health, readiness). */
  url: string;
  stateDb: TempDatabase;
  stop(): Promise<void>;
}

export async function startServedBot(opts: {
  /** The YAML configuration, as an object; the port, Slack's API URL and the log level are set here. */
  file: Record<string, unknown>;
  /** Secrets (Caracal tokens); the Slack ones come from `slack`. */
  env: Record<string, string>;
  slack: { apiUrl: string; botToken: string; signingSecret: string };
  /** Extra node flags for the bot's process; default: BENCH_BOT_NODE_ARGS (`--cpu-prof --cpu-prof-dir=…`). */
  nodeArgs?: string[];
}): Promise<ServedBot> {
  const stateDb = await createTempDatabase('bench_served');
  const dir = await mkdtemp(join(tmpdir(), 'bench-served-bot-'));
  const port = await freePort();
  const configPath = join(dir, 'config.yml');
  const slackFile = (opts.file.slack ?? {}) as Record<string, unknown>;
  await writeFile(configPath, stringify({ ...opts.file, slack: { ...slackFile, port, apiUrl: opts.slack.apiUrl }, logLevel: 'warn' }));
  await new Promise<void>((resolve, reject) => {
    const build = spawn(process.execPath, ['scripts/ensure-build.mjs'], { cwd: ROOT, stdio: 'inherit' });
    build.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`build exited ${code}`))));
  });
  const nodeArgs = opts.nodeArgs ?? process.env.BENCH_BOT_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const bot = spawn(process.execPath, [...nodeArgs, 'bin/caracal-chatops.js', 'serve', '--config', configPath], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ...opts.env,
      SLACK_BOT_TOKEN: opts.slack.botToken,
      SLACK_SIGNING_SECRET: opts.slack.signingSecret,
      STATE_DATABASE_URL: stateDb.url,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (bot.exitCode === null) {
      const exited = new Promise((r) => bot.once('exit', r));
      bot.kill('SIGTERM');
      await exited;
    }
    await stateDb.drop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const deadline = Date.now() + 30_000; ;) {
      if (bot.exitCode !== null) throw new Error(`the bot exited ${bot.exitCode} at start`);
      const answer = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) }).catch((err: unknown) => err as Error);
      if (answer instanceof Response && answer.ok) break;
      if (Date.now() > deadline)
        throw new Error(`the bot did not answer /healthz within 30 s: ${answer instanceof Response ? answer.status : answer.message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { events: `${url}/slack/events`, url, stateDb, stop };
}

export interface PostedRun {
  id: string;
  channel_id: string;
  dashboard_ts: string;
}

/** Waits until `count` runs have their dashboard posted (the bot's own dispatcher posts them), and returns them. */
export async function postedRuns(db: Queryable, count: number): Promise<PostedRun[]> {
  type Row = { id: string; channel_id: string; dashboard_ts: string | null };
  for (const end = Date.now() + 30_000; ; await new Promise((r) => setTimeout(r, 100))) {
    const rows = (await db.query<Row>('SELECT id, channel_id, dashboard_ts FROM runs ORDER BY channel_id')).rows;
    const posted = rows.flatMap((r) => (r.dashboard_ts ? [{ ...r, dashboard_ts: r.dashboard_ts }] : []));
    if (rows.length >= count && posted.length === rows.length) return posted;
    if (Date.now() > end) throw new Error(`${posted.length} of ${count} runs have a dashboard: the bench measures nothing without them`);
  }
}
