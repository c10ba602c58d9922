// The API's activation-status of one configured policy set: the supported, authoritative answer to "did STS load
// the active policy?". Only `propagation_status == "loaded"` passes. The API's labels are not taken at their word
// where Caracal v1.0 is known to mislabel (a dead row shows as pending; a compile error as waiting_for_sts), so
// each finding names the actual cause and its own remedy.
import { z } from 'zod';
import type { CheckContext } from '../types.ts';
import type { Finding } from './findings.ts';
import { firstApi } from '../discovery/zones.ts';
import type { JsonRead } from './metrics-json.ts';

// Only propagation_status decides; the rest is shown, so it may be absent but must have the documented type.
const text = z.string().nullish();
const activation = z.object({
  propagation_status: z.string(),
  version_id: text,
  active_version_id: text,
  outbox: z.object({ state: text, attempts: z.number().nullish(), last_error: text }).nullish(),
  sts: z.looseObject({ state: text, policy_set_version_id: text, detail: text }).nullish(),
});
export type Activation = z.infer<typeof activation>;

/** The API marks an event_outbox row dead after 100 attempts, but its status route still calls it pending. */
export const API_OUTBOX_MAX_ATTEMPTS = 100;

const DEAD_OUTBOX =
  'The activation event died in the API outbox (event_outbox, 100 attempts; the API still reports it as pending ' +
  'because of a Caracal v1.0 bug). There is no requeue endpoint: once Redis is healthy a DBA resets the row with ' +
  'the break-glass SQL of outbox.api (Evidence gate).';
const STS_CALL =
  "The API's own status call to STS failed, so nothing is known about what STS loaded. Check GATEWAY_STS_HMAC_KEY " +
  'is identical on API and STS, and that the API reaches STS_URL; then poll activation-status again.';

const isDead = (a: Activation) => a.outbox?.state === 'dead' || (a.outbox?.attempts ?? 0) >= API_OUTBOX_MAX_ATTEMPTS;

/** The cause, named by what the body shows rather than by the label alone. */
export function activationCause(a: Activation): { cause: string; remedy: string } {
  const active = a.active_version_id ?? a.version_id;
  const stsVersion = a.sts?.policy_set_version_id;
  switch (a.propagation_status) {
    case 'waiting_for_activation':
      return {
        cause: 'not_active',
        remedy: 'No version of this policy set is active yet: activate the intended version, then poll activation-status until loaded.',
      };
    case 'waiting_for_outbox':
      return isDead(a)
        ? { cause: 'outbox_dead', remedy: DEAD_OUTBOX }
        : {
            cause: 'outbox_pending',
            remedy:
              'The activation event has not left the API outbox yet: restore Redis; the API retries with backoff of up to 60 s per attempt, and gives up after 100 attempts.',
          };
    case 'waiting_for_sts':
      if (a.sts?.state === 'loaded' && stsVersion && active && stsVersion !== active) {
        return {
          cause: 'compile_rejected',
          remedy:
            `STS still runs the previous version ${stsVersion}: it keeps the old bundle when the new one does not compile ` +
            '(see opa.compile_errors on the STS pods). Roll forward to a version that compiles, or activate the last known-good version.',
        };
      }
      if (a.sts?.state === 'unreachable' || a.sts?.state === 'not_configured') return { cause: 'sts_status_unknown', remedy: STS_CALL };
      return {
        cause: 'sts_not_loaded',
        remedy:
          'STS has not loaded the active version: check STS readiness, the opa-engine group on caracal.policy.invalidate ' +
          '(redis.backlog); STS also polls Postgres every OPA_POLL_SECONDS (default 60).',
      };
    case 'failed':
      if (a.outbox?.state === 'dead' || a.outbox?.state === 'mismatch') {
        return a.outbox.state === 'dead'
          ? { cause: 'outbox_dead', remedy: DEAD_OUTBOX }
          : {
              cause: 'outbox_mismatch',
              remedy:
                'The outbox row found for this activation belongs to another policy set or version: activate the intended version again, which enqueues a new event.',
            };
      }
      return { cause: 'sts_status_failed', remedy: STS_CALL };
    default:
      return {
        cause: 'unknown',
        remedy: `Unknown propagation_status "${a.propagation_status}": treat the policy as not loaded and check the API version.`,
      };
  }
}

function describe(a: Activation): string {
  const show = (v: string | number | null | undefined) => (v === null || v === undefined ? '?' : String(v));
  const outbox = a.outbox
    ? `outbox.state=${show(a.outbox.state)} attempts=${show(a.outbox.attempts)}` +
      (a.outbox.last_error ? ` last_error="${a.outbox.last_error}"` : '')
    : 'outbox=?';
  const sts =
    `sts.state=${show(a.sts?.state)}` +
    (a.sts?.policy_set_version_id ? ` on ${a.sts.policy_set_version_id}` : '') +
    (a.sts?.detail ? ` detail="${a.sts.detail}"` : '');
  return `propagation_status=${a.propagation_status}, version ${show(a.active_version_id ?? a.version_id)}, ${outbox}, ${sts}`;
}

const READ_TOKEN_HINT = 'API read token missing or rejected: set CARACAL_API_READ_TOKEN to a read-only API admin token for this zone';

function readActivation(
  ctx: CheckContext,
  token: string,
  zoneId: string,
  policySetId: string,
  signal: AbortSignal,
): Promise<JsonRead<Activation>> {
  const path = `/v1/zones/${encodeURIComponent(zoneId)}/policy-sets/${encodeURIComponent(policySetId)}/activation-status`;
  return firstApi(ctx, path, activation, signal, { bearer: token, hint: READ_TOKEN_HINT });
}

/** Activation status is read with its own read-only token: the global admin token also reloads Gateways. */
export const MISSING_READ_TOKEN: Finding = {
  status: 'fail',
  line: 'Policy activation not checked: CARACAL_API_READ_TOKEN is not set',
  remedy:
    'Create an API admin token limited to reading policy sets in the configured zones and set it as ' +
    'CARACAL_API_READ_TOKEN. The bot never reads activation status with the global CARACAL_ADMIN_TOKEN.',
  matrix: ['sts'],
};

export async function activationFinding(
  ctx: CheckContext,
  set: { zoneId: string; policySetId: string },
  signal: AbortSignal,
): Promise<Finding> {
  const token = ctx.secrets.apiReadToken;
  if (!token) return MISSING_READ_TOKEN;
  const name = `policy set ${set.policySetId} in zone ${set.zoneId}`;
  const read = await readActivation(ctx, token, set.zoneId, set.policySetId, signal);
  if (!read.ok) {
    const remedy =
      read.status === 404
        ? 'Check caracal.policySets: the API does not know this zone/policy set (policy_set_binding_not_found), or it has no active version.'
        : 'Activation status could not be read: see services.ready for the API.';
    return { status: 'fail', line: `${name}: activation status unknown: ${read.problem}`, remedy: `${name}: ${remedy}`, matrix: ['sts'] };
  }
  const a = read.value;
  if (a.propagation_status === 'loaded') return { status: 'pass', line: `${name}: ${describe(a)}` };
  const { cause, remedy } = activationCause(a);
  return { status: 'fail', line: `${name}: not loaded (${cause}): ${describe(a)}`, remedy: `${name}: ${remedy}`, matrix: ['sts'] };
}
