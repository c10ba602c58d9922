// redis.streams (Storage): every consumer group Caracal's services create exists, and at least one Gateway pod has
// its revocation group (caracal-ops.md §3.1, §12 row 2). Whether the groups have drained (lag, pending entries,
// live consumers) is judged at Evidence by redis.backlog: the backlog drains only after the services are back at
// the next gate, and the runbook says to *watch* pending entries at Storage, not to wait for them.
import type { RedisTarget } from '../targets/redis.ts';
import type { CheckDefinition, CheckOutcome } from '../types.ts';
import type { MetricValue } from '../../domain/check-result.ts';
import * as catalogue from './caracal-streams.ts';
import * as groups from './stream-groups.ts';
import * as info from './stream-info.ts';

async function check(redis: RedisTarget): Promise<CheckOutcome> {
  const all = await groups.readAllGroups(redis);
  const fails: string[] = [];
  const remedies = new Set<string>();
  const evidence: string[] = [];
  const metrics: Record<string, MetricValue> = {};
  let present = 0;
  for (const { stream, groups: found } of all) {
    if (!found) evidence.push(`${stream}: stream does not exist.`);
    for (const g of found ?? []) {
      const service = groups.serviceOf(stream, g.name);
      const role = service ? `${service}` : catalogue.INFORMATIONAL.has(g.name) ? 'informational' : 'unknown, informational';
      metrics[`${stream}/${g.name}.consumers`] = g.consumers;
      evidence.push(`${stream}/${g.name} [${role}]: consumers ${g.consumers}.`);
      if (service) present++;
    }
  }
  for (const m of groups.missingGroups(all)) {
    fails.push(groups.describeMissing(m));
    remedies.add(catalogue.missingRemedy(m.service, m.stream));
  }
  const gateways = groups.gatewayGroups(all);
  const withConsumer = gateways.filter((g) => g.consumers > 0).length;
  metrics['gateway.groups'] = gateways.length;
  metrics['gateway.groupsWithConsumer'] = withConsumer;
  if (gateways.length === 0) {
    fails.push(groups.NO_GATEWAY_GROUP);
    remedies.add(groups.NO_GATEWAY_REMEDY);
  }
  const status = fails.length > 0 ? 'fail' : 'pass';
  return {
    status,
    summary:
      status === 'pass'
        ? `All required consumer groups present (${present} service groups, ${gateways.length} Gateway revocation ` +
          `group(s), ${withConsumer} with a consumer). Lag and pending entries are judged at Evidence (redis.backlog).`
        : `${fails.join('; ')}.`,
    metrics,
    evidence,
    ...(remedies.size > 0 ? { remedy: [...remedies].join(' ') } : {}),
    ...(status === 'fail' ? { matrix: ['redis' as const] } : {}),
  };
}

export const redisStreams: CheckDefinition = {
  id: 'redis.streams',
  title: 'Redis streams and consumer groups exist',
  gates: ['storage'],
  reads: 'XINFO GROUPS of each Caracal stream',
  run: (ctx) => info.withRedis(ctx, (redis) => check(redis)),
};
