// The `<stream>.dead` streams judged against the run's residue baseline: nothing in Caracal ever removes their
// entries (caracal-ops.md §3.1, §15.2.4), so entries from before the incident are old residue, shown as information;
// only entries dead-lettered since fail the gate. Without a baseline (a plain status report) every entry counts.
import type { Finding } from '../http/findings.ts';
import { DEAD } from '../redis/caracal-streams.ts';
import * as info from '../redis/stream-info.ts';
import type { RedisTarget } from '../targets/redis.ts';
import type { CheckContext } from '../types.ts';
import type { MetricValue } from '../../domain/check-result.ts';
import { baselineLabel, idAtOrBefore, residueBoundary } from './baseline.ts';

/** New entries are counted from the first ones after the boundary; more than this is "at least". */
const NEW_SCAN = 1000;

export const DEAD_REMEDY =
  'Dead-lettered messages failed 5 handlings and are never retried: inspect them (XRANGE <stream>.dead - + ' +
  'COUNT 20; fields original_id, error, values) and act on each revocation or invalidation by hand; then keep them ' +
  'as evidence and remove them with the break-glass step "Export and remove residue" (XRANGE into the incident log, then XDEL).';

export interface DeadStreamReading {
  findings: Finding[];
  metrics: Record<string, MetricValue>;
}

async function judgeOne(ctx: CheckContext, redis: RedisTarget, stream: string, length: number): Promise<Finding> {
  const baseline = ctx.incident?.residue;
  if (length === 0) return { status: 'pass', line: `${stream}: 0 entries` };
  if (!baseline) return { status: 'warn', line: `${stream} holds ${length} dead-lettered messages`, remedy: DEAD_REMEDY };
  const boundary = residueBoundary(baseline, baseline.deadStreams?.[stream]);
  const after = info.parseEntries(await redis.command('XRANGE', stream, `(${boundary.id}`, '+', 'COUNT', NEW_SCAN));
  const fresh = after.filter((e) => !idAtOrBefore(e.id, boundary.id)).length;
  const old = length - fresh;
  const when = `${baselineLabel(baseline)}${boundary.byTime ? ', by entry time: Redis was not readable then' : ''}`;
  if (fresh === 0) return { status: 'pass', line: `${stream}: ${old} dead entries from before the incident (${when}), none new` };
  return {
    status: 'warn',
    line: `${stream} holds ${fresh}${fresh === NEW_SCAN ? '+' : ''} dead-lettered messages since the ${when}${old > 0 ? ` (and ${old} from before)` : ''}`,
    remedy: DEAD_REMEDY,
  };
}

/** One finding per `.dead` stream, with its length as a metric. */
export async function readDeadStreams(ctx: CheckContext, redis: RedisTarget): Promise<DeadStreamReading> {
  const metrics: Record<string, MetricValue> = {};
  const findings: Finding[] = [];
  for (const stream of DEAD) {
    const length = Number(await redis.command('XLEN', stream));
    metrics[`${stream}.length`] = length;
    findings.push(await judgeOne(ctx, redis, stream, length));
  }
  return { findings, metrics };
}
