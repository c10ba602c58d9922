// Run from a scratch directory (not this repository): npm install pg-boss@10.4.2 graphile-worker@0.16.6 pg@8.23.1
// @electric-sql/pglite@0.5.14 @electric-sql/pglite-socket@0.2.17, then: node eval-schedulers.mjs pg-boss|graphile-worker postgres|pglite
// (pg-boss on PGlite: a pool of one connection). The README's "Why schedules are our own rows" cites its output.
// Evaluate pg-boss 10 and graphile-worker 0.16 (the last majors that declare Node 20) as the scheduler of 100
// watched runs: every job delayed, fired once when due; then idle CPU with 100 jobs an hour ahead.
import pg from 'pg';
const [lib, backend] = process.argv.slice(2);
const N = 100;
let url, stopBackend = async () => {};
if (backend === 'postgres') {
  const name = `sched_eval_${lib.replace('-', '_')}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect(); await admin.query(`CREATE DATABASE ${name}`); await admin.end();
  url = `postgres://postgres@127.0.0.1:5432/${name}`;
  stopBackend = async () => { const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' }); await c.connect(); await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); await c.end(); };
} else {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1' });
  await server.start();
  const port = server.server?.address()?.port ?? server.port;
  url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  stopBackend = async () => { await server.stop(); await db.close(); };
}
const fired = new Map();
const t0 = Date.now();
const dueAt = t0 + 4000;
let stop;
const withTimeout = (p, ms, what) => Promise.race([p, new Promise((_, r) => setTimeout(() => r(new Error(`${what}: timeout ${ms} ms`)), ms))]);
try {
  if (lib === 'pg-boss') {
    const { default: PgBoss } = await import('pg-boss');
    const boss = new PgBoss({ connectionString: url, max: backend === 'pglite' ? 1 : 4 });
    boss.on('error', (e) => console.error('pg-boss error', e.message));
    await withTimeout(boss.start(), 30000, 'start');
    await boss.createQueue('watch');
    await boss.work('watch', { pollingIntervalSeconds: 2, batchSize: 50 }, async (jobs) => { for (const j of jobs) fired.set(j.data.run, Date.now()); });
    for (let i = 0; i < N; i++) await boss.send('watch', { run: i }, { startAfter: new Date(dueAt) });
    for (let i = 0; i < N; i++) await boss.send('watch', { run: `later${i}` }, { startAfter: 3600 });
    stop = () => boss.stop({ graceful: false, wait: true });
  } else {
    const { run, quickAddJob } = await import('graphile-worker');
    const runner = await withTimeout(run({ connectionString: url, concurrency: 4, pollInterval: 2000, noHandleSignals: true, taskList: { watch: async (p) => { fired.set(p.run, Date.now()); } } }), 30000, 'start');
    for (let i = 0; i < N; i++) await quickAddJob({ connectionString: url }, 'watch', { run: i }, { runAt: new Date(dueAt) });
    for (let i = 0; i < N; i++) await quickAddJob({ connectionString: url }, 'watch', { run: `later${i}` }, { runAt: new Date(Date.now() + 3600_000) });
    stop = () => runner.stop();
  }
  const deadline = Date.now() + 30000;
  while (fired.size < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const lateness = [...fired.values()].map((t) => t - dueAt);
  console.log(JSON.stringify({ lib, backend, fired: fired.size, maxLateMs: Math.max(...lateness), enqueueMs: dueAt - t0 }));
  const c0 = process.cpuUsage(); const w0 = performance.now();
  await new Promise((r) => setTimeout(r, 20000));
  const c = process.cpuUsage(c0); const w = performance.now() - w0;
  console.log(JSON.stringify({ lib, backend, idleCpuPctOfCore: +(((c.user + c.system) / 1000) / w * 100).toFixed(2) }));
} catch (e) {
  console.log(JSON.stringify({ lib, backend, error: String(e.message ?? e).slice(0, 200), fired: fired.size }));
} finally {
  await Promise.race([stop?.(), new Promise((r) => setTimeout(r, 5000))]).catch(() => {});
  await stopBackend().catch(() => {});
  process.exit(0);
}
