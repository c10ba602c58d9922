// redis.dead-streams (Evidence): messages STS and Gateway dead-lettered after 5 failed handlings (caracal-ops.md
// §3.1, §3.3). Nothing reads or removes them (§15.2.4), so each one is a revocation or invalidation to act on by hand.
import type { RedisTarget } from '../targets/redis.ts';
import type { CheckDefinition, CheckOutcome, MetricValue } from '../types.ts';
import * as catalogue from './caracal-streams.ts';
import * as info from './stream-info.ts';

export const DEAD_STREAMS_REMEDY =
  'Dead-lettered messages failed 5 handlings and are never retried: inspect them (XRANGE <stream>.dead - + ' +
  'COUNT 20; fields original_id, error, values) and act on each revocation or invalidation by hand.';

async function check(redis: RedisTarget): Promise<CheckOutcome> {
  const lengths = await Promise.all(catalogue.DEAD.map((d) => redis.command('XLEN', d)));
  const metrics: Record<string, MetricValue> = {};
  const evidence: string[] = [];
  const warns: string[] = [];
  for (const [i, dead] of catalogue.DEAD.entries()) {
    const length = Number(lengths[i]);
    metrics[`${dead}.length`] = length;
    evidence.push(`${dead}: ${length} entries.`);
    if (length > 0) warns.push(`${dead} holds ${length} dead-lettered messages`);
  }
  if (warns.length === 0) return { status: 'pass', summary: 'Dead-letter streams empty.', metrics, evidence };
  return { status: 'warn', summary: `${warns.join('; ')}.`, metrics, evidence, remedy: DEAD_STREAMS_REMEDY, findings: ['dead_entries'] };
}

export const redisDeadStreams: CheckDefinition = {
  id: 'redis.dead-streams',
  title: 'Redis dead-letter streams',
  gates: ['evidence'],
  reads: `XLEN of ${catalogue.DEAD.join(', ')}`,
  async run(ctx) {
    if (!ctx.redis) return info.redisNotConfigured();
    try {
      return await check(ctx.redis);
    } catch (err) {
      return info.redisUnavailable(err);
    }
  },
};
