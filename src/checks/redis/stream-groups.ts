// Reading the consumer groups of every Caracal stream once, for the two checks that judge them: redis.streams
// (Storage: do the groups exist?) and redis.backlog (Evidence: have they drained?). One command at a time: while
// ioredis is still connecting, parallel commands fail with a confusing retry error.
import type { RedisTarget } from '../targets/redis.ts';
import * as catalogue from './caracal-streams.ts';
import * as info from './stream-info.ts';

export interface StreamGroups {
  stream: string;
  /** Undefined when the stream does not exist. */
  groups: info.GroupInfo[] | undefined;
}

export interface MissingGroup {
  stream: string;
  group: string;
  service: string;
  streamAbsent: boolean;
}

/** Who reads a group: a Gateway pod, a service that creates it, or nobody we judge (undefined). */
export function serviceOf(stream: string, group: string): string | undefined {
  if (isGatewayGroup(stream, group)) return 'Gateway';
  return catalogue.REQUIRED[stream]?.[group];
}

export function isGatewayGroup(stream: string, group: string): boolean {
  return stream === catalogue.REVOKE && group.startsWith(catalogue.GATEWAY);
}

export async function readAllGroups(redis: RedisTarget): Promise<StreamGroups[]> {
  const out: StreamGroups[] = [];
  for (const stream of Object.keys(catalogue.REQUIRED)) out.push({ stream, groups: await info.readGroups(redis, stream) });
  return out;
}

/** Required groups (created by a service at its start) that are not there. */
export function missingGroups(all: readonly StreamGroups[]): MissingGroup[] {
  return all.flatMap(({ stream, groups }) =>
    Object.entries(catalogue.REQUIRED[stream] ?? {})
      .filter(([group]) => !groups?.some((g) => g.name === group))
      .map(([group, service]) => ({ stream, group, service, streamAbsent: groups === undefined })),
  );
}

export function describeMissing(m: MissingGroup): string {
  return `required group ${m.group} (${m.service}) missing on ${m.stream}${m.streamAbsent ? ', stream absent' : ''}`;
}

/** Every `gateway-revocation:<host>` group on the revoke stream. */
export function gatewayGroups(all: readonly StreamGroups[]): info.GroupInfo[] {
  return all.find((s) => s.stream === catalogue.REVOKE)?.groups?.filter((g) => g.name.startsWith(catalogue.GATEWAY)) ?? [];
}

export const NO_GATEWAY_GROUP = `no ${catalogue.GATEWAY}<host> group on ${catalogue.REVOKE}: no Gateway pod is consuming revocations`;
export const NO_GATEWAY_REMEDY =
  'Restart the Gateway pods: each creates its own group only at startup (at $); revocations written ' +
  'meanwhile still reach them through the revocation snapshot they load from Postgres.';
