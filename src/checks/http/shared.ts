// What the HTTP checks share: the configured pod URLs of a service, and reading a JSON endpoint defensively.
import type { z } from 'zod';
import type { ServiceName } from '../../config.ts';
import { TargetError } from '../../errors.ts';
import { displayUrl } from '../targets/http.ts';
import type { CheckContext, CheckOutcome } from '../types.ts';

export const SERVICE_LABEL: Record<ServiceName, string> = {
  sts: 'STS',
  gateway: 'Gateway',
  audit: 'Audit',
  api: 'API',
  coordinator: 'Coordinator',
};

export function join(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

export function notConfigured(service: ServiceName, what: string): CheckOutcome {
  return {
    status: 'fail',
    summary: `No ${SERVICE_LABEL[service]} URL is configured (caracal.services.${service}), so ${what} cannot be checked.`,
    remedy: `List every ${SERVICE_LABEL[service]} pod URL under caracal.services.${service} in the config file, then re-run.`,
  };
}

export type Read<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * GET a JSON endpoint and validate it: a transport failure, a non-200, a body that is not JSON or not the
 * expected shape all come back as a problem sentence (never a pass).
 */
export async function readJson<T>(
  ctx: CheckContext,
  url: string,
  schema: z.ZodType<T>,
  opts: { bearer?: string | undefined; signal: AbortSignal; bearerName?: string },
): Promise<Read<T>> {
  const where = displayUrl(url);
  let res;
  try {
    res = await ctx.http.request(url, { bearer: opts.bearer, signal: opts.signal });
  } catch (err) {
    if (err instanceof TargetError) return { ok: false, problem: err.message };
    throw err;
  }
  if (res.status === 401 || res.status === 403) {
    const hint = opts.bearerName ? ` (set ${opts.bearerName}${opts.bearer ? ': the current value was rejected' : ''})` : '';
    return { ok: false, problem: `${where} answered ${res.status}: credentials missing or rejected${hint}` };
  }
  if (res.status !== 200) return { ok: false, problem: `${where} answered HTTP ${res.status}: ${res.text.slice(0, 200)}` };
  let body: unknown;
  try {
    body = res.json();
  } catch (err) {
    return { ok: false, problem: (err as Error).message };
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(body)').join(', ');
    return { ok: false, problem: `${where} answered 200 but without the expected fields (${fields}): cannot verify` };
  }
  return { ok: true, value: parsed.data };
}
