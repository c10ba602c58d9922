// One pod's GET /ready, judged against the exact bodies of caracal-ops.md §1.2-§1.6 and §14.4.
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { ServiceName } from '../../config.ts';
import { TargetError } from '../../errors.ts';
import { CallBudgetExceeded, type OwnCalls } from '../targets/call-budget.ts';
import type { MatrixRow } from '../../domain/failure-matrix.ts';
import type { CheckContext } from '../types.ts';
import type { Finding } from './findings.ts';
import { joinUrl } from '../../url.ts';
import { podLabel, SERVICE_LABEL, snippet } from './metrics-json.ts';
import { dependencyRow, READY_ADVICE, UNKNOWN_ADVICE } from './ready-reasons.ts';

/** Success bodies differ per service: Audit has no `ok`, API and Coordinator have no `ready` (§13.2). */
export const READY_BODY: Record<ServiceName, Record<string, boolean>> = {
  sts: { ok: true, ready: true },
  gateway: { ok: true, ready: true },
  audit: { ready: true },
  api: { ok: true },
  coordinator: { ok: true },
};

/** Each service's own row; an API pod that is not ready is the API row, never Control (the Console needs the API). */
export const SERVICE_ROW: Record<ServiceName, MatrixRow> = {
  sts: 'sts',
  gateway: 'gateway',
  audit: 'audit',
  api: 'api',
  coordinator: 'coordinator',
};

// Every field optional: a failure body only has to tell us why; what it lacks we show as unknown.
const failureBody = z.object({
  reason: z.string().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
  draining: z.boolean().optional(),
  deadCount: z.number().optional(),
  limit: z.number().optional(),
  dependency: z.string().optional(),
});
type FailureBody = z.infer<typeof failureBody>;

function parseFailure(text: string): FailureBody | undefined {
  try {
    const parsed = failureBody.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function describe(body: FailureBody): string {
  const parts: string[] = [];
  if (body.reason !== undefined) parts.push(`reason=${body.reason}`);
  if (body.error !== undefined) parts.push(`error=${body.error}`);
  if (body.draining === true) parts.push('draining');
  if (body.deadCount !== undefined) parts.push(`deadCount=${body.deadCount}`);
  if (body.limit !== undefined) parts.push(`limit=${body.limit}`);
  if (body.dependency !== undefined) parts.push(`dependency=${body.dependency}`);
  if (body.error_description !== undefined) parts.push(`(${snippet(body.error_description, 160)})`);
  return parts.join(' ');
}

/** Whose 429 it is: the bot's own calls this minute against Caracal's limit, as this replica counted them. */
export function rateLimitNote(own: OwnCalls | undefined): string {
  if (!own) return '';
  if (own.calls > own.caracalLimit) {
    return ` The 429 is the bot's own doing: this replica made ${own.calls} calls to ${own.endpoint} this minute, over Caracal's ${own.caracalLimit}.`;
  }
  return (
    ` Not the bot alone: this replica made ${own.calls} of the ${own.caracalLimit} calls Caracal allows per minute to ${own.endpoint}; ` +
    'the rest came from the same address (other bot replicas behind one NAT, or another poller).'
  );
}

function notReady(service: ServiceName, label: string, status: number, text: string, own?: OwnCalls): Finding {
  const body = parseFailure(text);
  const key = body?.reason ?? body?.error ?? (body?.draining === true ? 'draining' : status === 429 ? 'rate_limited' : undefined);
  // Own keys only: a reason such as "constructor" must not reach Object.prototype.
  const advice = key !== undefined && Object.hasOwn(READY_ADVICE, key) ? READY_ADVICE[key] : UNKNOWN_ADVICE;
  const shown = body && describe(body) !== '' ? describe(body) : snippet(text);
  // A 429 says nothing about the pod, only that we could not ask it: fail, but implicate no row.
  const matrix = key === 'rate_limited' ? [] : [SERVICE_ROW[service], ...advice.matrix, ...dependencyRow(body?.dependency)];
  return {
    status: 'fail',
    line: `${label}: not ready (HTTP ${status}) ${shown}`,
    kind: key ?? `http_${status}`,
    remedy: `${label}: ${advice.remedy}${status === 429 ? rateLimitNote(own) : ''}`,
    matrix: [...new Set(matrix)],
  };
}

export async function probeReady(ctx: CheckContext, service: ServiceName, base: string, signal: AbortSignal): Promise<Finding> {
  const label = podLabel(service, base);
  let status: number;
  let text: string;
  try {
    // API and Coordinator answer only once their Redis client gives up (§15.1.1): wait long enough to hear the 500.
    const slow = (service === 'api' || service === 'coordinator') && ctx.readyAnswerTimeoutMs !== undefined;
    ({ status, text } = await ctx.http.request(joinUrl(base, '/ready'), {
      signal,
      ...(slow ? { timeoutMs: ctx.readyAnswerTimeoutMs } : {}),
    }));
  } catch (err) {
    if (!(err instanceof TargetError)) throw err;
    // The bot's own budget stopped the call: nothing is known about the pod, and no matrix row is implicated.
    if (err instanceof CallBudgetExceeded) {
      return {
        status: 'fail',
        line: `${label}: ${err.message}`,
        remedy: `${label}: wait for the next minute and re-run (reports moments apart share one run of each check, so this takes a flood of requests).`,
      };
    }
    // API and Coordinator rate-limit /ready in Redis first; with Redis gone they answer only after their client's
    // retries, 0.5 to 21 s later (caracal-ops.md §15.1.1), so a probe that gives up sooner sees no answer.
    const redisFirst = service === 'api' || service === 'coordinator';
    return {
      status: 'fail',
      line: `${label}: no answer: ${err.message}`,
      kind: 'no_answer',
      remedy:
        `${label}: ` +
        (redisFirst && err.message.includes('no answer within')
          ? `${SERVICE_LABEL[service]} waits for Redis before answering /ready (up to 21 s when Redis is down): check redis.reachable first; ` +
            'otherwise check the pod is running and reachable.'
          : 'check the pod is running and that the bot may reach it (the Helm NetworkPolicy admits only Caracal pods plus networkPolicy.extraIngress).'),
      matrix: [SERVICE_ROW[service]],
    };
  }
  if (status !== 200)
    return notReady(service, label, status, text, status === 429 ? ctx.http.budget?.ownCalls(joinUrl(base, '/ready')) : undefined);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const expected = READY_BODY[service];
  if (isDeepStrictEqual(body, expected)) return { status: 'pass', line: `${label}: ready (200 ${JSON.stringify(expected)})` };
  // A 200 we cannot read is not a pass: the URL may point at another service, or a proxy answered for it.
  return {
    status: 'fail',
    line: `${label}: unexpected body (200 ${snippet(text)}; expected ${JSON.stringify(expected)})`,
    kind: 'unexpected_body',
    remedy: `${label}: check that caracal.services.${service} points at ${service} pods themselves, not a proxy or another service.`,
  };
}
