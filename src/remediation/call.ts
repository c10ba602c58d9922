// One POST to a Caracal admin endpoint, with the narrowest token that service's admin routes take, answered as a
// line for the incident log that says what a failed answer means on that service (hints.ts).
import { TargetError } from '../errors.ts';
import type { CheckContext } from '../checks/types.ts';
import { displayUrl } from '../checks/targets/http.ts';
import { SECRET_ENV, type SecretName } from '../config.ts';
import { scrubber, scrubDeep } from '../redact.ts';
import { httpHint } from './hints.ts';

export interface CallResult {
  ok: boolean;
  status: number | undefined;
  body: unknown;
  line: string;
}

/** The token each service's admin routes take (caracal-ops.md §1.3, §1.4): the operator, Audit admin or admin token. */
const ADMIN_TOKEN = { coordinator: 'coordinatorToken', audit: 'auditAdminToken', gateway: 'adminToken' } as const satisfies Record<
  string,
  SecretName
>;
export type AdminService = keyof typeof ADMIN_TOKEN;

export async function postAdmin(ctx: CheckContext, service: AdminService, url: string, signal: AbortSignal): Promise<CallResult> {
  const where = `POST ${displayUrl(url)}`;
  // Scrubbed before anything is shortened: an endpoint that echoes the request (Authorization included) must not
  // put a token, or the first characters of one, into the log or the thread.
  const scrub = scrubber(Object.values(ctx.secrets));
  const bearer = ctx.secrets[ADMIN_TOKEN[service]];
  if (!bearer)
    return { ok: false, status: undefined, body: undefined, line: `${where}: not called, ${SECRET_ENV[ADMIN_TOKEN[service]]} is not set` };
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
    return {
      ok,
      status: res.status,
      body,
      line: `${where}: ${res.status}${ok ? '' : ` (${httpHint(service, res.status, body)})`} ${shown.slice(0, 300)}`,
    };
  } catch (err) {
    if (!(err instanceof TargetError)) throw err;
    return { ok: false, status: undefined, body: undefined, line: `${where}: ${scrub(err.message)}` };
  }
}
