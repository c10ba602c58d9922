// postgres.connections: the runbook's "check pools" after a Postgres outage (caracal-ops.md §10, §15.2.11).
// Postgres side: client connections per role in pg_stat_activity against max_connections. Service side: the
// Gateway's caracal_db_pool_in_use_ratio (the only pool metric Caracal exports), read from every Gateway pod.
import { combine, type Finding } from '../http/findings.ts';
import { podLabel } from '../http/metrics-json.ts';
import { podFindings } from '../http/per-pod.ts';
import { readPrometheus, samples } from '../http/prometheus.ts';
import type { CheckContext, CheckDefinition } from '../types.ts';

/** The chart's CaracalPostgresPoolSaturation threshold (alertRules.dbPoolInUseRatio, §9.1). */
export const POOL_RATIO_MAX = 0.9;
/** Share of usable connections (max_connections less the superuser reserve) at which new pods start failing. */
export const CONNECTIONS_WARN = 0.8;
export const CONNECTIONS_FAIL = 0.95;

// One query, so the check holds one pooled connection: the pool is small and shared by every check.
const SQL = `
  SELECT current_setting('max_connections')::int AS max, current_setting('superuser_reserved_connections')::int AS reserved,
    COALESCE((SELECT json_agg(json_build_object('role', role, 'n', n) ORDER BY n DESC, role) FROM (
      SELECT COALESCE(usename, '(background)') AS role, count(*)::int AS n
      FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1) AS per_role), '[]'::json) AS roles`;

/** How close the server is to refusing connections. */
export function connectionVerdict(total: number, usable: number): 'pass' | 'warn' | 'fail' {
  const share = total / Math.max(1, usable);
  return share >= CONNECTIONS_FAIL ? 'fail' : share >= CONNECTIONS_WARN ? 'warn' : 'pass';
}

async function serverSide(ctx: CheckContext): Promise<Finding[]> {
  const pg = ctx.postgres;
  if (!pg)
    return [{ status: 'fail', line: "Caracal's Postgres is not configured (caracal.postgres.url)", remedy: 'Set caracal.postgres.url.' }];
  const [limits] = await pg.query<{ max: number; reserved: number; roles: { role: string; n: number }[] }>(SQL);
  const roles = limits?.roles ?? [];
  const usable = Math.max(1, (limits?.max ?? 100) - (limits?.reserved ?? 3));
  const total = roles.reduce((n, r) => n + r.n, 0);
  const share = total / usable;
  const perRole = roles.map((r) => `${r.role} ${r.n}`).join(', ') || 'none';
  const line = `pg_stat_activity: ${total} client connections of ${usable} usable (max_connections ${limits?.max ?? '?'}); per role: ${perRole}`;
  const verdict = connectionVerdict(total, usable);
  if (verdict === 'pass') return [{ status: 'pass', line }];
  return [
    {
      status: verdict,
      line: `${line}: ${Math.round(share * 100)}% in use`,
      remedy:
        'Postgres is close to max_connections: new Caracal pods and pool growth will fail with "too many connections". ' +
        'Find the role holding the most (above) and its idle or long transactions; lower DB_POOL_MAX or the replicas of ' +
        'that service, or raise max_connections.',
      matrix: ['postgres'],
    },
  ];
}

async function gatewayPool(ctx: CheckContext, base: string, signal: AbortSignal, label = podLabel('gateway', base)): Promise<Finding> {
  const read = await readPrometheus(ctx, base, signal);
  if (!read.ok) return { status: 'fail', line: `${label}: pool use unknown: ${read.problem}`, matrix: ['gateway'] };
  const values = samples(read.value, 'caracal_db_pool_in_use_ratio');
  if (values.length === 0) return { status: 'fail', line: `${label}: /metrics has no caracal_db_pool_in_use_ratio`, matrix: ['gateway'] };
  const max = Math.max(...values.map((v) => v.value));
  const line = `${label}: caracal_db_pool_in_use_ratio ${max.toFixed(2)} (limit ${POOL_RATIO_MAX})`;
  if (max <= POOL_RATIO_MAX) return { status: 'pass', line };
  return {
    status: 'fail',
    line,
    remedy:
      `${label}: its Postgres pool is saturated: requests wait for a connection. Check Postgres latency and locks, ` +
      'long transactions from this pod, then the pool size or replica count.',
    matrix: ['postgres', 'gateway'],
  };
}

export const postgresConnections: CheckDefinition = {
  id: 'postgres.connections',
  title: 'Postgres connections and pools',
  gates: ['storage'],
  reads: 'pg_stat_activity client connections per role against max_connections; every Gateway pod /metrics caracal_db_pool_in_use_ratio',
  async run(ctx, signal) {
    const [server, pools] = await Promise.all([
      serverSide(ctx),
      podFindings(ctx, 'gateway', signal, (pod) => gatewayPool(ctx, pod.url, signal, pod.label)),
    ]);
    return combine(
      [...server, ...pools.findings],
      { pass: `Postgres has connections to spare and no Gateway pool is saturated (${pools.pods} pods).`, lead: 'Postgres connections' },
      { 'gateway.pods': pools.pods },
    );
  },
};
