// Did the bot reach every Gateway pod? Redis knows how many are running (one live revocation group per pod); if
// fewer pods answered, some pod was never looked at, and a stale snapshot can hide there (caracal-ops.md §15.2.1).
import { liveGatewayHosts } from '../redis/gateway-groups.ts';
import { GATEWAY, REVOKE } from '../redis/caracal-streams.ts';
import type { PodSet } from '../discovery/pods.ts';
import type { CheckContext } from '../types.ts';
import type { Finding } from './findings.ts';

const REMEDY =
  'A Service URL reaches one random pod per request, so the others go unchecked and "reload" reaches one. Set ' +
  'caracal.discovery.gateway to dns (the headless Service of deploy/kustomize/caracal-namespace) or endpointslice ' +
  "(the chart's Service in its namespace), so that every Gateway pod is addressed, then re-run.";

/** `reached`: the pods that answered. Fails with "N pods not checked" when Redis counts more live Gateways. */
export async function gatewayCoverage(ctx: CheckContext, set: PodSet, reached: readonly { name?: string | undefined }[]): Promise<Finding> {
  const live = await liveGatewayHosts(ctx);
  if (!live.ok) {
    // Without Redis configured there is nothing to count against: said in the evidence, not judged.
    if (ctx.redis === undefined) {
      return {
        status: 'pass',
        line: `Coverage of Gateway pods: ${reached.length} answered; not counted against Redis (caracal.redis.url is not set)`,
      };
    }
    return {
      status: 'fail',
      line: `Coverage of Gateway pods: cannot tell whether every pod was checked: ${live.problem}`,
      remedy: `Redis is the cause: restore it (redis.reachable); the live ${GATEWAY}<host> groups tell how many Gateway pods run.`,
      matrix: ['redis'],
    };
  }
  const missing = live.hosts.length - reached.length;
  const names = new Set(reached.map((p) => p.name).filter((n): n is string => n !== undefined));
  const unseen = names.size === reached.length ? live.hosts.filter((h) => !names.has(h)) : [];
  const groups = `${live.hosts.length} live ${GATEWAY}<host> group(s) on ${REVOKE}`;
  if (missing <= 0 && unseen.length === 0) {
    return {
      status: 'pass',
      line: `Coverage of Gateway pods: ${reached.length} answered (${set.from}), ${groups}: every running Gateway was checked`,
    };
  }
  const count = Math.max(missing, unseen.length);
  return {
    status: 'fail',
    kind: 'pods_not_checked',
    line:
      `${count} pods not checked: ${groups} but ${reached.length} Gateway pod(s) answered from ${set.from}` +
      (unseen.length > 0 ? `; not reached: ${unseen.join(', ')}` : ''),
    remedy: REMEDY,
    matrix: ['gateway'],
  };
}
