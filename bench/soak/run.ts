// `npm run soak` (tsx bench/soak/run.ts --duration 120): the multi-replica soak, its figures, and exit 1 when an
// invariant broke. Needs the local Postgres (TEST_PG_URL, default postgres://postgres@127.0.0.1:5432/test).
import { parseArgs } from 'node:util';
import { removeSoakDir, runSoak } from './soak.ts';
import { printSummary } from './summary.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '120' },
    kills: { type: 'string' },
    seed: { type: 'string' },
  },
});
const durationS = Number(values.duration);
if (!Number.isFinite(durationS) || durationS <= 0 || durationS > 3600) {
  console.error('--duration: seconds, between 1 and 3600');
  process.exit(2);
}

const report = await runSoak({
  durationMs: durationS * 1000,
  ...(values.kills !== undefined ? { kills: Number(values.kills) } : {}),
  ...(values.seed !== undefined ? { seed: Number(values.seed) } : {}),
  log: (line) => console.log(`[soak] ${line}`),
});
printSummary(report.figures, report.problems);
if (report.problems.length > 0) console.log(`replica logs: ${report.dir}`);
removeSoakDir(report);
process.exit(report.problems.length === 0 ? 0 : 1);
