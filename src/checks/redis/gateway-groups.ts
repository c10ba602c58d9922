// How many Gateway pods are running, as Redis sees it: each live Gateway pod reads its own consumer group
// `gateway-revocation:<hostname>` on caracal.sessions.revoke (caracal-ops.md §3.1, §15.2.1; issue 12 calls the
// stream caracal.revocations). Groups of pods that are gone stay behind, so only groups still read count ("live",
// judged as redis.streams judges them: consumer-activity.ts).
import { TargetError } from '../../errors.ts';
import type { CheckContext } from '../types.ts';
import { GATEWAY, REVOKE } from './caracal-streams.ts';
import { judgeActivity } from './consumer-activity.ts';
import * as info from './stream-info.ts';

export type LiveGroups = { ok: true; hosts: string[] } | { ok: false; problem: string };

export async function liveGatewayHosts(ctx: CheckContext): Promise<LiveGroups> {
  const redis = ctx.redis;
  if (!redis) return { ok: false, problem: 'Redis is not configured (caracal.redis.url)' };
  try {
    const groups = (await info.readGroups(redis, REVOKE)) ?? [];
    const thresholdMs = ctx.thresholds.streamPendingIdleSeconds * 1000;
    const hosts: string[] = [];
    let now: number | undefined;
    for (const g of groups) {
      if (!g.name.startsWith(GATEWAY) || g.consumers === 0) continue;
      const consumers = info.parseConsumers(await redis.command('XINFO', 'CONSUMERS', REVOKE, g.name));
      now ??= await info.serverTimeMs(redis);
      const waiting = await info.oldestUndeliveredAgeMs(redis, REVOKE, g.lastDeliveredId, now);
      if (judgeActivity({ consumers, oldestUndeliveredAgeMs: waiting, thresholdMs }).live) hosts.push(g.name.slice(GATEWAY.length));
    }
    return { ok: true, hosts: hosts.sort() };
  } catch (err) {
    if (!(err instanceof TargetError)) throw err;
    return { ok: false, problem: `Redis could not be read (${err.message})` };
  }
}
