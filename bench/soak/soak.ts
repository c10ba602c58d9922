// The multi-replica soak: two bot processes on one throwaway state database behind a round-robin proxy, 20 people
// working 10 recovery runs for `durationMs` against a slow, failing Slack (slow-slack.ts), replicas SIGKILLed and
// restarted meanwhile; then every invariant checked, including that no secret reached Slack or a log line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { postgresDb } from '../../src/store/db.ts';
import { createTempDatabase } from '../../test/helpers/pg.ts';
import { readReplicaLogs } from './logs.ts';
import { startProxy } from './proxy.ts';
import { createReplica } from './replicas.ts';
import { findSecrets } from './secrets.ts';
import { makeSlackSlowAndFailing } from './slow-slack.ts';
import { createSender } from './sender.ts';
import { summarize, type SoakFigures } from './summary.ts';
import { runUser, startRun, type Click, type DriverContext } from './users.ts';
import { verifyAll } from './verify.ts';
import { watchEvents } from './watch.ts';
import { SOAK_CHANNELS, SOAK_SECRET, SOAK_USERS, startSoakSlack } from './workspace.ts';

export interface SoakOptions {
  durationMs: number;
  /** SIGKILL + restart cycles, spread over the run (alternating replicas). Default: one per minute, at least one. */
  kills?: number;
  /** How long a killed replica stays down before it is started again. */
  downMs?: number;
  seed?: number;
  /** How long Slack refuses the token (invalid_auth), from 40% into the run. Default 10 s. */
  authWindowMs?: number;
  log?: (line: string) => void;
}

export interface SoakReport {
  problems: string[];
  figures: SoakFigures;
  /** Config files and each replica process's log (kept when there are problems). */
  dir: string;
}

/** mulberry32: the same seed gives the same choices (timing still varies). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runSoak(opts: SoakOptions): Promise<SoakReport> {
  const log = opts.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'caracal-soak-'));
  const temp = await createTempDatabase('soak');
  const seed = opts.seed ?? 20260512;
  const slack = await startSoakSlack({ random: seeded(seed + 1) });
  // A short delivery lease: a killed replica's runs are taken over after 5 s; refused channels are probed from 1 s.
  const slackSettings = { deliveryLeaseMs: 5000, pauseProbeMs: 1000 };
  const replicas = await Promise.all(
    ['A', 'B'].map((name) =>
      createReplica({ name, dir, stateDatabaseUrl: temp.url, slackApiUrl: slack.sandbox.apiUrl, slack: slackSettings }),
    ),
  );
  const pool = new pg.Pool({ connectionString: temp.url, max: 3 });
  pool.on('error', () => undefined);
  const db = postgresDb(temp.url, { max: 3 });
  const killed = new Set<string>();
  let restarts = 0;
  try {
    await Promise.all(replicas.map((r) => r.start())); // both migrate at once: the advisory lock must serialize them
    const proxy = await startProxy(replicas);
    const watch = watchEvents(pool);
    const sender = createSender(proxy.url, SOAK_SECRET);
    const ctx: DriverContext = { slack, sender, watch, clicks: [] as Click[], random: seeded(seed) };
    log(`replicas up (${replicas.map((r) => r.tag()).join(', ')}); starting 10 runs`);
    await Promise.all(SOAK_CHANNELS.map((c, i) => startRun(ctx, SOAK_USERS[i * 2], c)));

    const slow = makeSlackSlowAndFailing(slack, {
      random: seeded(seed + 2),
      authAtMs: opts.durationMs * 0.4,
      authWindowMs: opts.authWindowMs ?? 10_000,
      burstEveryMs: 4000,
      channels: SOAK_CHANNELS.map((c) => c.id),
    });
    log(
      `Slack is slow and failing now (invalid_auth for ${(opts.authWindowMs ?? 10_000) / 1000} s from ${(opts.durationMs * 0.0004).toFixed(1)} s)`,
    );
    const started = Date.now();
    const endAt = started + opts.durationMs;
    const users = Promise.all(SOAK_USERS.map((u) => runUser(ctx, u, endAt)));
    const kills = opts.kills ?? Math.max(1, Math.floor(opts.durationMs / 60_000));
    for (let k = 0; k < kills; k++) {
      await sleep(started + ((k + 1) * opts.durationMs) / (kills + 1) - Date.now());
      const victim = replicas[k % replicas.length];
      killed.add(victim.tag());
      await victim.kill();
      log(`SIGKILL ${victim.tag()} at ${((Date.now() - started) / 1000).toFixed(1)} s`);
      await sleep(opts.downMs ?? 1500);
      await victim.start();
      restarts++;
      log(`restarted as ${victim.tag()} at ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    await users;
    slow.stop();
    log(`${ctx.clicks.length} requests sent; Slack injected ${JSON.stringify(slow.injected())}; waiting for the outbox to drain`);
    const drained = await drain(pool);
    await watch.stop();
    await Promise.all(replicas.map((r) => r.stop()));
    await proxy.close();
    const verdict = await verifyAll(db, slack, ctx.clicks, killed, slow.refusedIn);
    // Answers in acks are bodies the bot sent to Slack too.
    const leaks = findSecrets([...slack.bodies, ...ctx.clicks.map((c) => c.result.body).filter((b) => b !== '')], dir);
    const problems = [...(drained ? [] : ['the outbox and the inbox did not drain within 90 s']), ...verdict.problems, ...leaks];
    const logs = readReplicaLogs(dir);
    const figures = summarize({
      clicks: ctx.clicks,
      sender: sender.stats,
      failovers: proxy.failovers,
      restarts,
      threadLookups: slack.threadLookups(),
      logs,
      durationMs: opts.durationMs,
      verdict,
      injected: slow.injected(),
      slackBodies: slack.bodies.length,
    });
    return { problems, figures, dir };
  } finally {
    await Promise.all(replicas.map((r) => r.kill()));
    await slack.sandbox.close();
    await pool.end();
    await db.close();
    await temp.drop();
  }
}

/**
 * Until no delivery is pending (a killed replica's leases run out after 5 s) and no saved request is left (a killed
 * replica's acked requests are handled by a sweep once their hold runs out), for one second in a row.
 */
async function drain(pool: pg.Pool): Promise<boolean> {
  const end = Date.now() + 90_000;
  let quietSince = 0;
  while (Date.now() < end) {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM deliveries WHERE status = 'pending') + (SELECT count(*) FROM inbox) AS n`,
    );
    if (Number(rows[0].n) > 0) quietSince = 0;
    else if (quietSince === 0) quietSince = Date.now();
    else if (Date.now() - quietSince > 1000) return true;
    await sleep(200);
  }
  return false;
}

export function removeSoakDir(report: SoakReport): void {
  if (report.problems.length === 0) rmSync(report.dir, { recursive: true, force: true });
}
