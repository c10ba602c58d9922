// redis.dead-streams (Evidence): messages STS and Gateway dead-lettered after 5 failed handlings (caracal-ops.md
// §3.1, §3.3). Nothing reads or removes them (§15.2.4), so each one is a revocation or invalidation to act on by hand.
import { combine } from '../http/findings.ts';
import { readDeadStreams } from '../residue/dead-residue.ts';
import type { RedisTarget } from '../targets/redis.ts';
import type { CheckContext, CheckDefinition, CheckOutcome } from '../types.ts';
import * as catalogue from './caracal-streams.ts';
import * as info from './stream-info.ts';

export { DEAD_REMEDY as DEAD_STREAMS_REMEDY } from '../residue/dead-residue.ts';

/** During a run, entries recorded in its residue baseline are shown as old residue; only new ones warn (issue 12). */
async function check(ctx: CheckContext, redis: RedisTarget): Promise<CheckOutcome> {
  const { findings, metrics } = await readDeadStreams(ctx, redis);
  const outcome = combine(findings, { pass: 'Dead-letter streams empty.', lead: 'Dead-letter streams' }, metrics);
  const residue = findings.filter((f) => f.status === 'pass' && /from before the incident/.test(f.line));
  if (outcome.status === 'pass' && residue.length > 0)
    return { ...outcome, summary: `${residue.map((f) => f.line).join('; ')}.`, findings: ['residue'] };
  return outcome.status === 'pass' ? outcome : { ...outcome, findings: ['dead_entries'] };
}

export const redisDeadStreams: CheckDefinition = {
  id: 'redis.dead-streams',
  title: 'Redis dead-letter streams',
  gates: ['evidence'],
  reads: `XLEN of ${catalogue.DEAD.join(', ')}`,
  run: (ctx) => info.withRedis(ctx, (redis) => check(ctx, redis)),
};
