// redis.reachable: Redis answers, and is configured so that stream entries survive memory pressure and restarts.
// Caracal services only log a warning when it is not (caracal-ops.md §3.1), so this check is where it shows.
import { replyError, pairs, type RedisTarget } from '../targets/redis.ts';
import type { CheckDefinition, CheckOutcome } from '../types.ts';
import type { MetricValue } from '../../domain/check-result.ts';
import { withRedis } from './stream-info.ts';

/** INFO's `key:value` lines, or undefined when INFO is refused (ACLs on managed Redis). */
async function readInfo(redis: RedisTarget): Promise<Record<string, string> | undefined> {
  try {
    const text = String(await redis.command('INFO'));
    const info: Record<string, string> = {};
    for (const line of text.split(/\r?\n/)) {
      const at = line.indexOf(':');
      if (at > 0 && !line.startsWith('#')) info[line.slice(0, at)] = line.slice(at + 1);
    }
    return info;
  } catch (err) {
    if (replyError(err) === undefined) throw err;
    return undefined;
  }
}

/** One CONFIG GET value; undefined when CONFIG is refused or renamed (common on managed Redis). */
async function configGet(redis: RedisTarget, name: string): Promise<string | undefined> {
  try {
    const value = pairs(await redis.command('CONFIG', 'GET', name))[name];
    return typeof value === 'string' ? value : undefined;
  } catch (err) {
    if (replyError(err) === undefined) throw err;
    return undefined;
  }
}

async function check(redis: RedisTarget, requireAppendonly: boolean): Promise<CheckOutcome> {
  const started = performance.now();
  const pong = await redis.command('PING');
  const pingMs = Math.round(performance.now() - started);
  if (pong !== 'PONG') {
    return { status: 'fail', summary: `Redis answered PING with ${String(pong)}, not PONG.`, matrix: ['redis'] };
  }
  const info = await readInfo(redis);
  // INFO carries the same two settings, so a renamed CONFIG alone does not leave them unverified.
  const policy = (await configGet(redis, 'maxmemory-policy')) ?? info?.maxmemory_policy;
  const aofInfo = info?.aof_enabled === undefined ? undefined : info.aof_enabled === '1' ? 'yes' : 'no';
  const appendonly = (await configGet(redis, 'appendonly')) ?? aofInfo;

  const evidence = [
    `PING answered PONG in ${pingMs} ms.`,
    info
      ? `INFO: redis_version ${info.redis_version ?? '?'}, used_memory ${info.used_memory_human ?? info.used_memory ?? '?'}.`
      : 'INFO was refused (ACL or renamed command): version and memory unknown.',
    `maxmemory-policy: ${policy ?? 'could not be read'}; appendonly: ${appendonly ?? 'could not be read'}.`,
  ];
  const warnings: string[] = [];
  const unverified: string[] = [];
  if (policy === undefined) unverified.push('maxmemory-policy');
  else if (policy !== 'noeviction') {
    warnings.push(
      `maxmemory-policy is ${policy}, not noeviction: under memory pressure Redis evicts keys, and stream entries (revocations, audit events) can be dropped`,
    );
  }
  if (appendonly === undefined) unverified.push('appendonly');
  else if (appendonly !== 'yes' && !requireAppendonly) {
    evidence.push(`appendonly ${appendonly} accepted: caracal.redis.requireAppendonly is false.`);
  } else if (appendonly !== 'yes') {
    warnings.push('appendonly is not yes: a Redis restart loses every stream entry and pending entry written since the last snapshot');
  }
  const major = Number(info?.redis_version?.split('.')[0]);
  if (Number.isFinite(major) && major < 7) {
    warnings.push(`Redis ${info?.redis_version} is older than 7: XINFO GROUPS reports no lag, so stream backlogs cannot be judged`);
  }
  if (unverified.length > 0) {
    warnings.push(`could not verify ${unverified.join(' and ')}: CONFIG GET and INFO were refused`);
  }

  const metrics: Record<string, MetricValue> = {
    pingMs,
    redisVersion: info?.redis_version ?? null,
    usedMemoryBytes: info?.used_memory === undefined ? null : Number(info.used_memory),
    maxmemoryPolicy: policy ?? null,
    appendonly: appendonly ?? null,
  };
  if (warnings.length === 0) {
    return { status: 'pass', summary: `Redis answers; maxmemory-policy noeviction, appendonly ${appendonly ?? '?'}.`, metrics, evidence };
  }
  return {
    status: 'warn',
    summary: `Redis answers, but ${warnings.join('; ')}.`,
    metrics,
    evidence,
    remedy:
      'Caracal requires maxmemory-policy noeviction and appendonly yes with appendfsync everysec (https://docs.caracal.run/operations/redis/); ' +
      'services only log a warning otherwise. Fix it in redis.conf or the managed-Redis parameter group. ' +
      'If CONFIG is renamed or refused, confirm both settings with whoever operates Redis.',
  };
}

export const redisReachable: CheckDefinition = {
  id: 'redis.reachable',
  title: 'Redis reachable and configured',
  gates: ['storage'],
  reads: 'PING, INFO (version, used memory), CONFIG GET maxmemory-policy and appendonly',
  run: (ctx) => withRedis(ctx, (redis) => check(redis, ctx.caracal.redis.requireAppendonly)),
};
