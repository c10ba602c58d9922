// The API's activation-status of one configured policy set (caracal-ops.md §7.1): the supported, authoritative
// answer to "did STS load the active policy?". Only `propagation_status == "loaded"` passes.
import { z } from 'zod';
import type { CheckContext } from '../types.ts';
import type { Finding } from './findings.ts';
import { endpoint, readJson, type JsonRead } from './metrics-json.ts';

// Only propagation_status decides; the rest is shown, so it may be absent but must have the documented type.
const text = z.string().nullish();
const activation = z.object({
  propagation_status: z.string(),
  version_id: text,
  active_version_id: text,
  outbox: z.object({ state: text, attempts: z.number().nullish(), last_error: text }).nullish(),
  sts: z.looseObject({ state: text }).nullish(),
});
type Activation = z.infer<typeof activation>;

function remedyFor(a: Activation): string {
  switch (a.propagation_status) {
    case 'waiting_for_activation':
      return 'No version of this policy set is active yet: activate the intended version, then poll activation-status until loaded.';
    case 'waiting_for_outbox':
      return a.outbox?.state === 'dead'
        ? 'The activation event died in the API outbox (event_outbox). There is no requeue endpoint: once Redis is healthy ' +
            'it needs break-glass SQL resetting available_at, attempts and last_error (see outbox.api).'
        : 'The activation event has not left the API outbox yet: restore Redis; the API retries with backoff of up to 60 s.';
    case 'waiting_for_sts':
      return 'STS has not loaded the active version: check STS readiness, the opa-engine group on caracal.policy.invalidate ' +
        '(redis.streams) and STS compile errors; STS also polls Postgres every OPA_POLL_SECONDS (default 60).';
    case 'failed':
      return 'Propagation failed: STS keeps the previous bundle on a compile error and installs deny-all on a module ' +
        'validation failure. Roll forward to a valid version, or activate the last known-good version.';
    default:
      return `Unknown propagation_status "${a.propagation_status}": treat the policy as not loaded and check the API version.`;
  }
}

function describe(a: Activation): string {
  const show = (v: string | number | null | undefined) => (v === null || v === undefined ? '?' : String(v));
  const outbox = a.outbox
    ? `outbox.state=${show(a.outbox.state)} attempts=${show(a.outbox.attempts)}` +
      (a.outbox.last_error ? ` last_error="${a.outbox.last_error}"` : '')
    : 'outbox=?';
  return `propagation_status=${a.propagation_status}, version ${show(a.active_version_id ?? a.version_id)}, ${outbox}, sts.state=${show(a.sts?.state)}`;
}

/** Ask each API URL in turn until one answers over HTTP: they share one database, so any answer is the answer. */
async function readActivation(ctx: CheckContext, zoneId: string, policySetId: string, signal: AbortSignal): Promise<JsonRead<Activation>> {
  const path = `/v1/zones/${encodeURIComponent(zoneId)}/policy-sets/${encodeURIComponent(policySetId)}/activation-status`;
  let last: JsonRead<Activation> = { ok: false, problem: 'no API URL configured' };
  for (const base of ctx.caracal.services.api) {
    last = await readJson(ctx, endpoint(base, path), activation, {
      bearer: ctx.secrets.adminToken,
      signal,
      authHint: 'admin token missing or rejected: set CARACAL_ADMIN_TOKEN',
    });
    if (last.ok || last.status !== undefined) return last;
  }
  return last;
}

export async function activationFinding(
  ctx: CheckContext,
  set: { zoneId: string; policySetId: string },
  signal: AbortSignal,
): Promise<Finding> {
  const name = `policy set ${set.policySetId} in zone ${set.zoneId}`;
  const read = await readActivation(ctx, set.zoneId, set.policySetId, signal);
  if (!read.ok) {
    const remedy = read.status === 404
      ? 'Check caracal.policySets: the API does not know this zone/policy set.'
      : 'Activation status could not be read: see services.ready for the API.';
    return { status: 'fail', line: `${name}: activation status unknown: ${read.problem}`, remedy: `${name}: ${remedy}`, matrix: ['sts'] };
  }
  const a = read.value;
  if (a.propagation_status === 'loaded') return { status: 'pass', line: `${name}: ${describe(a)}` };
  return { status: 'fail', line: `${name}: not loaded: ${describe(a)}`, remedy: `${name}: ${remedyFor(a)}`, matrix: ['sts'] };
}
