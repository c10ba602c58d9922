// Reading Caracal's JSON endpoints defensively: a transport failure, an unexpected status, a body that is not
// JSON, or a missing or wrongly typed field all become "could not verify" (a problem to fail on), never a pass.
import { z } from 'zod';
import type { ServiceName } from '../../config.ts';
import { TargetError } from '../../errors.ts';
import { joinUrl } from '../../url.ts';
import { displayUrl } from '../targets/http.ts';
import type { CheckContext } from '../types.ts';
import type { Finding } from './findings.ts';

export const count = z.number().int().nonnegative();
export const seconds = z.number().nonnegative();

export const SERVICE_LABEL: Record<ServiceName, string> = {
  sts: 'STS',
  gateway: 'Gateway',
  audit: 'Audit',
  api: 'API',
  coordinator: 'Coordinator',
};

export type JsonRead<T> = { ok: true; value: T } | { ok: false; problem: string; status?: number };

/** How a pod is named in evidence: service and base URL, never a query string. */
export function podLabel(service: ServiceName, base: string): string {
  return `${SERVICE_LABEL[service]} ${displayUrl(base)}`;
}

/** A short, single-line excerpt of a body we did not expect (an ingress error page, say). */
export function snippet(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return '(empty body)';
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function issues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
    .join('; ');
}

export const METRICS_AUTH_HINT = "metrics bearer missing or rejected: set CARACAL_METRICS_BEARER to the deployment's METRICS_BEARER";

export async function readJson<S extends z.ZodType>(
  ctx: CheckContext,
  url: string,
  schema: S,
  opts: { bearer: string | undefined; signal: AbortSignal; authHint: string },
): Promise<JsonRead<z.infer<S>>> {
  const where = `GET ${displayUrl(url)}`;
  // TargetError messages start with "GET <url>: "; evidence lines already name the pod, so keep the cause only.
  const cause = (err: TargetError) =>
    `${err.message.startsWith(`${where}: `) ? err.message.slice(where.length + 2) : err.message} (${where})`;
  try {
    const res = await ctx.http.request(url, { bearer: opts.bearer, signal: opts.signal });
    if (res.status === 401 || res.status === 403) return { ok: false, status: res.status, problem: `HTTP ${res.status}: ${opts.authHint}` };
    if (res.status !== 200)
      return { ok: false, status: res.status, problem: `answered HTTP ${res.status}: ${snippet(res.text)} (${where})` };
    const parsed = schema.safeParse(res.json());
    if (!parsed.success)
      return { ok: false, status: 200, problem: `answered 200 but cannot be verified: ${issues(parsed.error)} (${where})` };
    return { ok: true, value: parsed.data };
  } catch (err) {
    if (err instanceof TargetError) return { ok: false, problem: cause(err) };
    throw err;
  }
}

/** `/metrics.json` of STS, Gateway or Audit, with the metrics bearer (caracal-ops.md §1.1 "Metrics auth"). */
export function readMetricsJson<S extends z.ZodType>(
  ctx: CheckContext,
  base: string,
  schema: S,
  signal: AbortSignal,
): Promise<JsonRead<z.infer<S>>> {
  return readJson(ctx, joinUrl(base, '/metrics.json'), schema, {
    bearer: ctx.secrets.metricsBearer,
    signal,
    authHint: METRICS_AUTH_HINT,
  });
}

/** A check that cannot reach a service because none is configured fails: unchecked is never a pass. */
export function notConfigured(service: ServiceName): Finding {
  return {
    status: 'fail',
    line: `${SERVICE_LABEL[service]}: not configured: cannot be checked (caracal.services.${service} is empty)`,
    remedy: `List every ${SERVICE_LABEL[service]} pod URL under caracal.services.${service} in the config file.`,
  };
}
