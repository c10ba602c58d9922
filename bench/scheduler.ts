// Scheduler overhead (issue 17) with 100 watched runs when nothing changes, on a throwaway database on the real
// Postgres (the bot's process CPU; the database server's own CPU is not counted):
// - idle: every run watched, nothing due, the scheduler polling every 5 s (its default) for 20 s;
// - ticks: every run's watch tick due at once (what 5 minutes bring), their CPU per tick;
// - at the default rate (one tick per run per 5 minutes): idle share + ticks' CPU / 300 s. Goal: under 2% of a core.
import { configuredCallBudget } from '../src/checks/context.ts';
import { runChecks } from '../src/checks/executor.ts';
import type { CheckDefinition } from '../src/checks/types.ts';
import type { Gate } from '../src/domain/gates.ts';
import { createLogger } from '../src/logger.ts';
import { createRecoveryService } from '../src/recovery/service.ts';
import { createGateResults } from '../src/schedule/gate-results.ts';
import { remindersJob } from '../src/schedule/reminders.ts';
import { createScheduler, type Job } from '../src/schedule/runner.ts';
import { watchJob } from '../src/schedule/watch.ts';
import { postgresDb } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { testConfig } from '../test/helpers/check-context.ts';
import { createTempDatabase } from '../test/helpers/pg.ts';
import { fakeContext } from '../test/helpers/slack.ts';
import { emit, type BenchRow } from './lib/stats.ts';

const RUNS = 100;
const WATCH_MS = 5 * 60_000;
const POLL_MS = 5000;
const IDLE_MS = 20_000;
const CHECK_IDS = ['postgres.reachable', 'redis.reachable', 'outbox.coordinator'];
// Nothing changes: the same verdicts at every tick (one stays red, so no gate ever turns all green).
const checks: CheckDefinition[] = CHECK_IDS.map((id, i) => ({
  id,
  title: id,
  gates: ['storage'],
  reads: 'bench',
  run: () => Promise.resolve({ status: i === 2 ? 'fail' : 'pass', summary: `${id} steady` }),
}));

const temp = await createTempDatabase('bench_sched');
const db = postgresDb(temp.url);
await migrate(db);
let offset = 0;
const now = () => new Date(Date.now() + offset);
const policy = {
  freshnessMs: 5 * 60_000,
  approvalsRequired: { freeze: 1, storage: 1, services: 1, evidence: 1, safety: 1, resume: 2 },
  requiredChecks: (g: Gate) => (g === 'storage' ? CHECK_IDS : []),
};
let n = 0;
const svc = createRecoveryService({
  startPolicy: { who: 'anyone', drillChannels: [] },
  db,
  policy,
  isApprover: () => Promise.resolve(true),
  now,
  newId: () => `s${++n}x${Date.now().toString(36)}`,
});
for (let i = 0; i < RUNS; i++) await svc.startRun({ channelId: `CS${i}`, title: 'bench', userId: 'U1' });
await db.query(
  `UPDATE gates SET status = CASE gate WHEN 'freeze' THEN 'confirmed' ELSE 'open' END, claimed_by = 'UDAN', claimed_at = now() WHERE gate IN ('freeze', 'storage')`,
);

const config = testConfig({});
const context = { ...fakeContext(config), now };
let checkRuns = 0;
const results = createGateResults({
  run: (gate) => {
    checkRuns++;
    return runChecks(
      checks.filter((c) => c.gates.includes(gate)),
      context,
      { timeoutMs: () => 5000 },
    );
  },
  now,
  budget: configuredCallBudget(config, now),
  readyPerMinute: 60,
  reuseMs: 60_000,
});
const noStatus: Job = () => Promise.resolve();
const scheduler = createScheduler({
  db,
  workerId: 'bench',
  now,
  logger: createLogger({ level: 'silent' }),
  watchFirstMs: WATCH_MS,
  sweepMs: 60_000,
  jobs: {
    watch: watchJob({ db, policy, results, intervalFor: () => WATCH_MS, approvers: { users: [], userGroups: [] }, scrub: (t) => t }),
    reminders: remindersJob({ db, claimIdleMs: 24 * 3_600_000, releaseAfterMs: 3_600_000, runIdleMs: 24 * 3_600_000 }),
    status: noStatus,
  },
});

const cpuMs = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};
// Baseline: every run gets its watch job and a first look (the remembered statuses), before measuring.
offset = WATCH_MS + 1000;
while ((await scheduler.runNow()) > 0) offset += 1;

// Ticks: every run due at once, nothing changes.
offset += WATCH_MS + 1000;
const eventsBefore = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM events`)).rows[0].n;
const runsBefore = checkRuns;
let c0 = process.cpuUsage();
let ticks = 0;
let ran: number;
while ((ran = await scheduler.runNow()) > 0) ticks += ran;
const tickCpuMs = cpuMs(c0);
const eventsAfter = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM events`)).rows[0].n;

// Idle: the default poll, nothing due.
c0 = process.cpuUsage();
const w0 = performance.now();
scheduler.start(POLL_MS);
await new Promise((r) => setTimeout(r, IDLE_MS));
await scheduler.stop();
const idleShare = cpuMs(c0) / (performance.now() - w0);

const atRate = idleShare + tickCpuMs / WATCH_MS; // one tick per run per 5 minutes
const rows: BenchRow[] = [
  {
    bench: `scheduler: CPU share of one core, ${RUNS} watched runs, nothing changes (idle poll + ticks at 5 min)`,
    measured: `${(atRate * 100).toFixed(3)} % (idle ${(idleShare * 100).toFixed(3)} %, ${ticks} ticks ${tickCpuMs.toFixed(0)} ms CPU, ${checkRuns - runsBefore} check run(s), ${eventsAfter - eventsBefore} posts)`,
    reference: '2 % (goal)',
    ratio: atRate / 0.02,
    goal: '< 1',
    ok: atRate < 0.02 && eventsAfter === eventsBefore && ticks >= RUNS,
  },
];
await db.close();
await temp.drop();
emit(rows);
process.exit(0);
