// redis.backlog (Evidence): the consumer groups Caracal's services read have drained: lag and pending entries under
// the thresholds, and a Gateway pod still reading its revocation group (caracal-ops.md §3.1, §3.3, §12 row 2). That
// the groups exist is redis.streams' question, at Storage; the backlog drains only once the services are back.
// Groups nobody reads in OSS (provisioned-only, SDK defaults) and abandoned per-pod Gateway groups only ever grow,
// so they are reported but never judged; judging them would fail every healthy deployment.
import type { RedisTarget } from '../targets/redis.ts';
import type { Thresholds } from '../../config.ts';
import type { CheckDefinition, CheckOutcome } from '../types.ts';
import type { MetricValue } from '../../domain/check-result.ts';
import * as catalogue from './caracal-streams.ts';
import { hasInactive, judgeActivity } from './consumer-activity.ts';
import * as groups from './stream-groups.ts';
import * as info from './stream-info.ts';

/** Live when a consumer still reads its group: consumers are never deleted and hostnames change with every pod
 *  restart, so groups of gone pods pile up and only grow (§3.3). How "still reads" is told depends on the Redis
 *  version (consumer-activity.ts, §15.3). */
async function gatewayRole(redis: RedisTarget, stream: string, g: info.GroupInfo, idleMaxMs: number, r: Report): Promise<string> {
  if (g.consumers === 0) return 'leftover: no consumer';
  const consumers = info.parseConsumers(await redis.command('XINFO', 'CONSUMERS', stream, g.name));
  if (consumers.length > 0) r.inactiveReported = hasInactive(consumers);
  const waiting = await info.oldestUndeliveredAgeMs(redis, stream, g.lastDeliveredId, await r.nowMs());
  const activity = judgeActivity({ consumers, oldestUndeliveredAgeMs: waiting, thresholdMs: idleMaxMs });
  return activity.live ? 'judged' : `leftover: ${activity.reason}`;
}

/** One sentence on what the Gateway verdict rests on, naming the Redis version. */
function activityBasis(version: string, inactiveReported: boolean | undefined): string {
  if (inactiveReported === undefined) return `Redis ${version}.`;
  return inactiveReported
    ? `Gateway consumer activity judged by XINFO CONSUMERS inactive (Redis ${version}).`
    : `Gateway consumer activity judged by undelivered entries and idle: Redis ${version} reports no inactive ` +
        '(added in 7.2), and idle grows on a quiet stream, so a group with nothing waiting counts as read.';
}

interface Report {
  fails: string[];
  warns: string[];
  remedies: Set<string>;
  evidence: string[];
  metrics: Record<string, MetricValue>;
  /** Whether XINFO CONSUMERS reported `inactive` (Redis 7.2+); undefined until a Gateway group was read. */
  inactiveReported?: boolean;
  /** Redis TIME, read once per run and only when needed. */
  nowMs: () => Promise<number>;
}

/** Judge one group a live service reads; returns what to add to its evidence line. */
async function judge(redis: RedisTarget, t: Thresholds, stream: string, g: info.GroupInfo, service: string, r: Report): Promise<string> {
  const key = `${stream}/${g.name}`;
  if (g.lag === null) {
    r.warns.push(`${key} lag unknown (XINFO reports nil, e.g. after XDEL), so its backlog is unchecked`);
    r.remedies.add(`Compare ${key} last-delivered-id ${g.lastDeliveredId} with XINFO STREAM last-generated-id.`);
  } else if (g.lag > t.streamLagMax) {
    r.fails.push(`${key} lag ${g.lag} > ${t.streamLagMax}`);
    r.remedies.add(`${service} is not reading ${stream} fast enough (or at all): check that it is running and ready.`);
  }
  if (g.pending === 0) return '';
  const summary = info.parsePendingSummary(await redis.command('XPENDING', stream, g.name));
  const idleMs = info.parseFirstPendingIdleMs(await redis.command('XPENDING', stream, g.name, '-', '+', 1)) ?? 0;
  const idleS = Math.round(idleMs / 1000);
  r.metrics[`${key}.oldestPendingIdleSeconds`] = idleS;
  const overCount = g.pending > t.streamPendingMax;
  const overIdle = idleMs > t.streamPendingIdleSeconds * 1000;
  if (overCount) r.fails.push(`${key} pending ${g.pending} > ${t.streamPendingMax}`);
  if (overIdle) r.warns.push(`${key} oldest pending entry idle ${idleS} s > ${t.streamPendingIdleSeconds} s`);
  if (overCount || overIdle) {
    const reclaim = catalogue.RECLAIM[service] ?? '';
    r.remedies.add(`Entries delivered to ${key} are not acknowledged: check ${service} readiness and logs; ${reclaim}`);
  }
  return `, oldest pending idle ${idleS} s; held by ${summary.consumers.map((c) => `${c.name}=${c.count}`).join(', ')}`;
}

async function check(t: Thresholds, redis: RedisTarget): Promise<CheckOutcome> {
  let now: Promise<number> | undefined;
  const r: Report = {
    fails: [],
    warns: [],
    remedies: new Set(),
    evidence: [],
    metrics: {},
    nowMs: () => (now ??= info.serverTimeMs(redis)),
  };
  let [gateways, liveGateways, judged] = [0, 0, 0];
  const all = await groups.readAllGroups(redis);
  for (const m of groups.missingGroups(all)) {
    r.fails.push(`${groups.describeMissing(m)}: its backlog cannot be judged`);
    r.remedies.add(catalogue.missingRemedy(m.service, m.stream));
  }
  for (const { stream, groups: found } of all) {
    if (!found) r.evidence.push(`${stream}: stream does not exist.`);
    for (const g of found ?? []) {
      const key = `${stream}/${g.name}`;
      const isGateway = groups.isGatewayGroup(stream, g.name);
      const service = groups.serviceOf(stream, g.name);
      let role = service ? 'judged' : catalogue.INFORMATIONAL.has(g.name) ? 'informational' : 'unknown, informational';
      if (isGateway) {
        gateways++;
        role = await gatewayRole(redis, stream, g, t.streamPendingIdleSeconds * 1000, r);
      }
      r.metrics[`${key}.pending`] = g.pending;
      r.metrics[`${key}.lag`] = g.lag;
      const line = `${key} [${role}]: consumers ${g.consumers}, pending ${g.pending}, lag ${g.lag ?? 'unknown'}`;
      if (role !== 'judged' || !service) {
        r.evidence.push(`${line}.`);
        continue;
      }
      judged++;
      if (isGateway) liveGateways++;
      r.evidence.push(`${line}${await judge(redis, t, stream, g, service, r)}.`);
    }
  }
  // Read after the groups, so that a Redis that is down is reported by the command that matters (XINFO).
  const version = await info.serverVersion(redis);
  if (gateways === 0) {
    r.fails.push(groups.NO_GATEWAY_GROUP);
    r.remedies.add(groups.NO_GATEWAY_REMEDY);
  } else if (liveGateways === 0) {
    const idle = t.streamPendingIdleSeconds;
    r.warns.push(`none of the ${gateways} ${catalogue.GATEWAY}* groups has a consumer active in the last ${idle} s (Redis ${version})`);
    r.remedies.add('Check that the Gateway pods are running; each pod reads its own group, named after its hostname.');
  }

  const basis = activityBasis(version, r.inactiveReported);
  r.evidence.push(basis);
  r.metrics.redisVersion = version;
  const status = r.fails.length > 0 ? 'fail' : r.warns.length > 0 ? 'warn' : 'pass';
  return {
    status,
    summary:
      status === 'pass'
        ? `Every judged consumer group within thresholds (${judged} judged); Redis ${version}${r.inactiveReported === false ? ' (no inactive before 7.2: Gateway groups judged by undelivered entries)' : ''}.`
        : `${[...r.fails, ...r.warns].join('; ')}.`,
    metrics: r.metrics,
    evidence: r.evidence,
    ...(r.remedies.size > 0 ? { remedy: [...r.remedies].join(' ') } : {}),
    ...(status === 'fail' ? { matrix: ['redis' as const] } : {}),
  };
}

export const redisBacklog: CheckDefinition = {
  id: 'redis.backlog',
  title: 'Redis stream backlog (lag, pending, live consumers)',
  gates: ['evidence'],
  reads: 'XINFO GROUPS / CONSUMERS, XPENDING of each Caracal stream',
  run: (ctx) => info.withRedis(ctx, (redis) => check(ctx.thresholds, redis)),
};
