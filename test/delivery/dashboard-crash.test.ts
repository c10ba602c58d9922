// Issue 14 item 8: the run dashboard is posted once even when the replica dies between Slack's answer and saving the
// message's ts. The dying replica's database stops answering at that exact statement (as a SIGKILL would leave it:
// no ts saved, no lease released, the run marked "post pending"); a second replica then takes the run over after the
// lease, reads the channel back (the post carries the run id in its metadata) and updates that message instead of
// posting a second dashboard. Against the sandbox's Slack emulation and the real Postgres.
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher, type RunRenderer } from '../../src/delivery/dispatcher.ts';
import { DASHBOARD_EVENT } from '../../src/delivery/dashboard-post.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics.ts';
import { createRecoveryService } from '../../src/recovery/service.ts';
import { SANDBOX_BOT, startSandboxSlack, type SandboxSlack } from '../../src/sandbox/slack/server.ts';
import type { Db } from '../../src/store/db.ts';
import { dyingDb } from '../helpers/dying-db.ts';
import { loadRun } from '../../src/store/runs.ts';
import { testStateDb } from '../helpers/state.ts';

const TOKEN = 'xoxb-dashboard-crash';
const CHANNEL = 'C0INCIDENT';
const render: RunRenderer = {
  dashboard: (run) => Promise.resolve({ text: `dashboard v${run.version}`, blocks: [] }),
  logEntry: (event) => Promise.resolve({ text: `entry ${event.type} #${event.id}`, blocks: [] }),
};

describe('dashboard post across a crash', () => {
  let state: { db: Db; drop(): Promise<void> };
  let slack: SandboxSlack;
  beforeAll(async () => {
    state = await testStateDb();
    slack = await startSandboxSlack({ botToken: TOKEN, signingSecret: 'crash-test-secret' });
  });
  afterAll(async () => {
    await slack.close();
    await state.drop();
  });

  it('a replica killed between posting the dashboard and saving its ts leaves one dashboard, found and updated by the next', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (l: string) => void lines.push(l) } });
    const client = new WebClient(TOKEN, { slackApiUrl: slack.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
    const replica = (db: Db, workerId: string) =>
      createDispatcher({
        db,
        client,
        render,
        logger,
        metrics: createMetrics(),
        workerId,
        settleMs: 5,
        postIntervalMs: 0,
        leaseMs: 300,
        botId: SANDBOX_BOT.botId,
      });
    let n = 0;
    const svc = createRecoveryService({
      startPolicy: { who: 'anyone', drillChannels: [] },
      db: state.db,
      isApprover: () => Promise.resolve(true),
      now: () => new Date(),
      newId: () => `crash${++n}${Date.now().toString(36)}`,
      policy: {
        freshnessMs: 300_000,
        approvalsRequired: { freeze: 1, storage: 1, services: 1, evidence: 1, safety: 1, resume: 2 },
        requiredChecks: () => [],
      },
    });
    const started = await svc.startRun({ channelId: CHANNEL, title: 'crash', userId: 'U0ALICE' });
    if (!started.ok) throw new Error(started.reason);
    const runId = started.run.id;

    const dying = dyingDb(state.db, (sql) => sql.startsWith('UPDATE runs SET dashboard_ts'));
    await replica(dying, 'replica-a').runNow();
    expect(dying.died()).toBe(true);
    const posted = slack.workspace.history(CHANNEL).filter((m) => m.botId);
    expect(posted).toHaveLength(1); // Slack has it; the database does not know its ts
    expect((await loadRun(state.db, runId))?.dashboardTs).toBeUndefined();

    await svc.act(runId, 'freeze', { type: 'claim' }, 'U0BOB'); // the run moves on meanwhile
    const b = replica(state.db, 'replica-b');
    const pending = async () =>
      (await state.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM deliveries WHERE run_id = $1 AND status = 'pending'`, [runId]))
        .rows[0].n;
    for (let i = 0; i < 400 && (await pending()) > 0; i++) {
      await b.runNow(); // nothing until replica A's lease has run out
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(await pending()).toBe(0);

    const tops = slack.workspace.history(CHANNEL).filter((m) => m.botId);
    expect(tops.map((m) => m.ts)).toEqual([posted[0].ts]); // one dashboard, never a second post
    const run = await loadRun(state.db, runId);
    expect(run?.dashboardTs).toBe(posted[0].ts);
    expect(tops[0].text).toBe(`dashboard v${run!.version}`); // updated in place to the newest state
    expect(tops[0].metadata).toEqual({ event_type: DASHBOARD_EVENT, event_payload: { run_id: runId } });
    expect((await state.db.query<{ p: boolean }>('SELECT dashboard_pending AS p FROM runs WHERE id = $1', [runId])).rows[0].p).toBe(false);
    expect(lines.some((l) => l.includes('dashboard already posted by an earlier attempt'))).toBe(true);
    // The thread went on under that one dashboard, each entry once.
    const replies = slack.workspace.replies(CHANNEL, posted[0].ts).map((m) => m.text.split(' #')[0]);
    expect(replies).toEqual(['entry run_started', 'entry gate_claimed']);
  });
});
