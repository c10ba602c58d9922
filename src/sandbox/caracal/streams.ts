// Caracal v1.0's Redis streams and consumer groups as a real deployment leaves them (caracal-ops.md §3.1, §3.3,
// §5.2), plus ways to put a deployment into the states the checks judge: lag, pending entries, dead letters
// (the audit DLQ is in audit-dlq.ts).
// Written from the docs independently of src/checks, so tests compare two readings of the same facts.
// Used by the check tests and the local sandbox; every helper takes an ioredis client for the target DB.
import { createHmac } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface GroupSpec {
  stream: string;
  group: string;
  /** The consumer name the service reads with (§3.3); absent for groups nobody reads. */
  consumer?: string;
}

/** Groups the services create at startup (XGROUP CREATE … $ MKSTREAM). */
export const SERVICE_GROUPS: readonly GroupSpec[] = [
  { stream: 'caracal.audit.events', group: 'audit-ingestor', consumer: 'audit-worker-0' },
  { stream: 'caracal.policy.invalidate', group: 'opa-engine', consumer: 'sts-sts-0-1-policy' },
  { stream: 'caracal.sessions.revoke', group: 'sts-revocation', consumer: 'sts-sts-0-1-revocations' },
  { stream: 'caracal.keys.invalidate', group: 'sts-keys', consumer: 'sts-sts-0-1-keys' },
  { stream: 'caracal.agents.lifecycle', group: 'coordinator-relay', consumer: 'coordinator-0' },
];

/** Groups only infra/redis/provision-streams.sh creates (Compose); no OSS code reads them. */
export const PROVISIONED_ONLY_GROUPS: readonly GroupSpec[] = [
  { stream: 'caracal.audit.events', group: 'siem-export' },
  { stream: 'caracal.audit.events.dlq', group: 'audit-dlq-observer' },
  { stream: 'caracal.invocations.lifecycle', group: 'invocations-observer' },
  { stream: 'caracal.delegations.invalidate', group: 'delegations-observer' },
];

/** Default groups of the resource-server SDK backend, created from `0`. */
export const SDK_GROUPS: readonly GroupSpec[] = [
  { stream: 'caracal.sessions.revoke', group: 'resource-revocation', consumer: 'resource-server-0' },
  { stream: 'caracal.delegations.invalidate', group: 'resource-delegation-invalidation', consumer: 'resource-server-0' },
];

export const REVOKE_STREAM = 'caracal.sessions.revoke';
export const AUDIT_STREAM = 'caracal.audit.events';
export const AUDIT_DLQ_STREAM = 'caracal.audit.events.dlq';
export const DEAD_LETTER_STREAMS = ['caracal.sessions.revoke.dead', 'caracal.policy.invalidate.dead', 'caracal.keys.invalidate.dead'];
export const TEST_STREAMS_HMAC_KEY = 'a'.repeat(64);
export const TEST_AUDIT_HMAC_KEY = 'b'.repeat(64);

export const gatewayGroup = (host: string): GroupSpec => ({
  stream: REVOKE_STREAM,
  group: `gateway-revocation:${host}`,
  consumer: `gateway-${host}-1`,
});

export interface ProvisionOptions {
  /** Running Gateway pods: each has its own group with a consumer that has just polled. Default ['gateway-0']. */
  gatewayHosts?: string[];
  /** Gateway pods that are gone: their group exists but nobody ever read it (0 consumers). */
  leftoverGatewayHosts?: string[];
  /** Whether provision-streams.sh ran (Compose): provisioned-only groups and the ratelimit init entry. Default true. */
  provisioner?: boolean;
  /** Create the resource-server SDK's groups. Default false. */
  sdkGroups?: boolean;
  /** Group names to leave out, e.g. ['audit-ingestor'] for a group deleted while Audit ran. */
  omitGroups?: string[];
}

/** A healthy v1.0 deployment right after start: every group at `$`, every service consumer registered. */
export async function provisionCaracalStreams(client: Redis, opts: ProvisionOptions = {}): Promise<void> {
  const provisioner = opts.provisioner ?? true;
  const omit = new Set(opts.omitGroups ?? []);
  const live = [...SERVICE_GROUPS, ...(opts.gatewayHosts ?? ['gateway-0']).map(gatewayGroup)];
  const idle = [
    ...(provisioner ? PROVISIONED_ONLY_GROUPS : []),
    ...(opts.leftoverGatewayHosts ?? []).map((h) => ({ ...gatewayGroup(h), consumer: undefined })),
  ];
  for (const spec of [...live, ...idle]) {
    if (!omit.has(spec.group)) await client.xgroup('CREATE', spec.stream, spec.group, '$', 'MKSTREAM');
  }
  for (const spec of opts.sdkGroups ? SDK_GROUPS : []) {
    if (!omit.has(spec.group)) await client.xgroup('CREATE', spec.stream, spec.group, '0', 'MKSTREAM');
  }
  if (provisioner) await client.xadd('caracal.providers.ratelimit', 'MAXLEN', '~', '1', '*', 'type', 'init');
  for (const spec of [...live, ...(opts.sdkGroups ? SDK_GROUPS : [])]) {
    if (!omit.has(spec.group) && spec.consumer) await drain(client, spec);
  }
}

/** Canonical stream signature (§3.2): stream, then sorted `key=value` lines, HMAC-SHA256 hex in `_sig`. */
export function signStreamFields(stream: string, fields: Record<string, string>, key = TEST_STREAMS_HMAC_KEY): string {
  const keys = Object.keys(fields)
    .filter((k) => k !== '_sig')
    .sort();
  const text = `${stream}\n${keys.map((k) => `${k}=${fields[k]}\n`).join('')}`;
  return createHmac('sha256', Buffer.from(key, 'hex')).update(text).digest('hex');
}

/** XADD `count` signed messages without anyone reading them: lag for every group of the stream. */
export async function addEntries(
  client: Redis,
  stream: string,
  count: number,
  fields: (i: number) => Record<string, string> = (i) => ({ zone_id: 'zone-1', session_id: `s-${i}`, reason: 'test' }),
): Promise<string[]> {
  const pipeline = client.pipeline();
  for (let i = 0; i < count; i++) {
    const f = fields(i);
    const flat = Object.entries({ ...f, _sig: signStreamFields(stream, f) }).flat();
    pipeline.xadd(stream, '*', ...flat);
  }
  const results = (await pipeline.exec()) ?? [];
  return results.map(([err, id]) => {
    if (err) throw err;
    return String(id);
  });
}

/** Deliver `count` new entries to a consumer without acking them, optionally claiming them as idle for `idleMs`. */
export async function addPending(client: Redis, spec: GroupSpec, count: number, opts: { idleMs?: number } = {}): Promise<string[]> {
  await addEntries(client, spec.stream, count);
  const consumer = spec.consumer ?? 'test-consumer';
  // '>' delivers the group's oldest undelivered entries, so use the IDs it returns.
  const reply = (await client.xreadgroup('GROUP', spec.group, consumer, 'COUNT', count, 'STREAMS', spec.stream, '>')) as
    [string, [string, string[]][]][] | null;
  const ids = (reply?.[0]?.[1] ?? []).map(([id]) => id);
  if (opts.idleMs !== undefined && ids.length > 0) {
    await client.xclaim(spec.stream, spec.group, consumer, 0, ...ids, 'IDLE', opts.idleMs, 'JUSTID');
  }
  return ids;
}

/**
 * One poll of a healthy consumer: register it (Redis 7.0 creates no consumer on an empty read), then read
 * everything undelivered and ack it (lag and the new pending back to 0).
 */
export async function drain(client: Redis, spec: GroupSpec): Promise<number> {
  const consumer = spec.consumer ?? 'test-consumer';
  await client.xgroup('CREATECONSUMER', spec.stream, spec.group, consumer);
  let total = 0;
  for (;;) {
    const reply = (await client.xreadgroup('GROUP', spec.group, consumer, 'COUNT', 1000, 'STREAMS', spec.stream, '>')) as
      [string, [string, string[]][]][] | null;
    const ids = (reply?.[0]?.[1] ?? []).map(([id]) => id);
    if (ids.length === 0) return total;
    await client.xack(spec.stream, spec.group, ...ids);
    total += ids.length;
  }
}

/**
 * Refresh a consumer's XINFO CONSUMERS idle time without taking new entries: it re-reads its own PEL from `0`, as
 * services do at startup, which also resets the idle time of its own pending entries.
 */
export async function touchConsumer(client: Redis, spec: GroupSpec): Promise<void> {
  await client.xreadgroup('GROUP', spec.group, spec.consumer ?? 'test-consumer', 'COUNT', 1, 'STREAMS', spec.stream, '0');
}

/**
 * XDEL an entry in the middle of what the groups have not read yet: XINFO GROUPS then reports `lag` as nil for
 * them (a deleted first entry would not do: Redis can still count around it). Adds 3 entries, leaves 2.
 */
export async function makeLagUnknown(client: Redis, stream: string): Promise<void> {
  const [, middle] = await addEntries(client, stream, 3);
  await client.xdel(stream, middle);
}

/** Messages STS or Gateway gave up on after 5 failed handlings (`<stream>.dead`, signed). */
export async function addDeadLetters(client: Redis, stream: string, count: number, error = 'handler failed'): Promise<void> {
  const dead = `${stream}.dead`;
  for (let i = 0; i < count; i++) {
    const [id] = await addEntries(client, stream, 1);
    const fields = { original_id: id, error, values: JSON.stringify({ zone_id: 'zone-1', session_id: `s-${i}` }) };
    const signed = { ...fields, _sig: signStreamFields(dead, fields) };
    await client.xadd(dead, 'MAXLEN', '~', '10000', '*', ...Object.entries(signed).flat());
  }
}
