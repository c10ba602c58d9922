// Reading a Caracal service's Prometheus /metrics (text exposition format), parsed by a maintained library.
// Only the Gateway exports the Postgres pool gauge (caracal-ops.md §9.2, §13.12), so this is its one reader.
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { TargetError } from '../../errors.ts';
import { displayUrl } from '../targets/http.ts';
import type { CheckContext } from '../types.ts';
import { joinUrl } from '../../url.ts';
import { METRICS_AUTH_HINT, snippet, type JsonRead } from './metrics-json.ts';

/** One numeric sample per label set of a family; absent families give an empty list. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export function samples(families: readonly PrometheusFamily[], name: string): Sample[] {
  const family = families.find((f) => f.name === name);
  if (!family) return [];
  return family.metrics.flatMap((m) => {
    const value = Number(m.value);
    return m.value !== undefined && Number.isFinite(value) ? [{ labels: m.labels ?? {}, value }] : [];
  });
}

export async function readPrometheus(ctx: CheckContext, base: string, signal: AbortSignal): Promise<JsonRead<PrometheusFamily[]>> {
  const url = joinUrl(base, '/metrics');
  const where = `GET ${displayUrl(url)}`;
  try {
    const res = await ctx.http.request(url, { bearer: ctx.secrets.metricsBearer, signal });
    if (res.status === 401 || res.status === 403)
      return { ok: false, status: res.status, problem: `HTTP ${res.status}: ${METRICS_AUTH_HINT}` };
    if (res.status !== 200)
      return { ok: false, status: res.status, problem: `answered HTTP ${res.status}: ${snippet(res.text)} (${where})` };
    try {
      return { ok: true, value: parsePrometheusTextFormat(res.text) };
    } catch (err) {
      return {
        ok: false,
        status: 200,
        problem: `answered 200 but not in the Prometheus text format: ${(err as Error).message} (${where})`,
      };
    }
  } catch (err) {
    if (err instanceof TargetError) return { ok: false, problem: err.message };
    throw err;
  }
}
