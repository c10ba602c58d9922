// One POST to a Caracal admin endpoint, answered as a line for the incident log.
import { TargetError } from '../errors.ts';
import type { CheckContext } from '../checks/types.ts';
import { displayUrl } from '../checks/targets/http.ts';
import { scrubber, scrubDeep } from '../redact.ts';

export interface CallResult {
  ok: boolean;
  status: number | undefined;
  body: unknown;
  line: string;
}

/** Caracal answers 404 on admin routes when the token is unset or wrong (caracal-ops.md §1.3, §1.4). */
const HINT: Record<number, string> = {
  401: 'token rejected',
  403: 'token lacks the required scope',
  404: 'not found: the admin token is unset or wrong on that service, or the row no longer qualifies',
  500: 'server error',
  503: 'the service could not do it now',
};

export async function postAdmin(ctx: CheckContext, url: string, bearer: string | undefined, tokenName: string, signal: AbortSignal): Promise<CallResult> {
  const where = `POST ${displayUrl(url)}`;
  // Scrubbed before anything is shortened: an endpoint that echoes the request (Authorization included) must not
  // put a token, or the first characters of one, into the log or the thread.
  const scrub = scrubber(Object.values(ctx.secrets));
  if (!bearer) return { ok: false, status: undefined, body: undefined, line: `${where}: not called, ${tokenName} is not set` };
  try {
    const res = await ctx.http.request(url, { method: 'POST', bearer, signal });
    let body: unknown;
    try {
      body = scrubDeep(res.json(), scrub);
    } catch {
      body = scrub(res.text).slice(0, 200);
    }
    const ok = res.status >= 200 && res.status < 300;
    const shown = typeof body === 'string' ? body : JSON.stringify(body);
    return { ok, status: res.status, body, line: `${where}: ${res.status}${ok ? '' : ` (${HINT[res.status] ?? 'failed'})`} ${shown.slice(0, 300)}` };
  } catch (err) {
    if (!(err instanceof TargetError)) throw err;
    return { ok: false, status: undefined, body: undefined, line: `${where}: ${scrub(err.message)}` };
  }
}
