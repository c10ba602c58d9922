// Issue 2: time to the complete status report with every check, when the slowest target answers after 300 ms,
// against that slowest check alone (goal: ratio <= 1.2); and with one target that never answers, the report is
// complete within that check's timeout + 100 ms (every read of the silent pod is bounded by the HTTP timeout). Real checks, real Postgres and Redis, simulated HTTP services.
import { WebClient } from '@slack/web-api';
import { createCheckTargets } from '../src/checks/context.ts';
import { runChecks } from '../src/checks/executor.ts';
import { ALL_CHECKS, findCheck } from '../src/checks/registry.ts';
import { parseConfig, timeoutFor } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { createMetrics } from '../src/metrics.ts';
import { memoryReportStore } from '../src/reports/report-store.ts';
import { runStatusReport } from '../src/reports/status-run.ts';
import { startGreenCaracal } from '../test/helpers/green-caracal.ts';
import { startFakeSlack } from './lib/fake-slack.ts';
import { emit } from './lib/stats.ts';

const ROUNDS = 7;
const SLOW_MS = 300;
const HANG_TIMEOUT_MS = 1000;

const green = await startGreenCaracal();
const slack = await startFakeSlack();
const config = parseConfig(
  JSON.stringify({ ...green.file, checks: { defaultTimeoutMs: 3000, httpTimeoutMs: HANG_TIMEOUT_MS } }),
  green.env,
);
const targets = createCheckTargets(config);
const client = new WebClient('xoxb-bench', { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
const deps = {
  checks: ALL_CHECKS,
  context: targets.context,
  store: memoryReportStore(),
  metrics: createMetrics(),
  logger: createLogger({ level: 'silent' }),
  timeoutMs: (id: string) => timeoutFor(config, id),
  updateIntervalMs: 1000,
  sandbox: false,
  newId: () => Math.random().toString(36).slice(2),
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeReport(): Promise<number> {
  const start = performance.now();
  await runStatusReport(deps, { client, channelId: 'CBENCH', requestedBy: 'U0BENCH' });
  return performance.now() - start;
}
async function timeSlowestAlone(): Promise<number> {
  const start = performance.now();
  await runChecks([findCheck('gateway.revocation')!], targets.context, { timeoutMs: deps.timeoutMs });
  return performance.now() - start;
}

await timeReport(); // warm-up: connections, JIT
for (const g of green.fake.state.gateway) g.delayMs = SLOW_MS;
const full: number[] = [];
const alone: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  full.push(await timeReport());
  alone.push(await timeSlowestAlone());
}
green.fake.state.gateway[0].fault = 'hang';
const hung = await timeReport();

const rows = [
  {
    bench: 'report: full report vs slowest check alone (300 ms target)',
    measured: `${median(full).toFixed(0)} ms`,
    reference: `${median(alone).toFixed(0)} ms`,
    ratio: median(full) / median(alone),
    goal: '<= 1.2',
    ok: median(full) / median(alone) <= 1.2,
  },
  {
    bench: 'report: one target never answers',
    measured: `${hung.toFixed(0)} ms`,
    reference: `HTTP timeout ${HANG_TIMEOUT_MS} ms + 100`,
    ratio: hung / (HANG_TIMEOUT_MS + 100),
    goal: '<= 1.0',
    ok: hung <= HANG_TIMEOUT_MS + 100,
  },
];
emit(rows);
await targets.close();
await slack.close();
await green.close();
