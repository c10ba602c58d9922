// sts.jwks: every STS pod serves a usable public key for every configured zone (caracal-ops.md §7.2). Gateway,
// Coordinator and Control verify tokens against it, so a zone without keys locks its agents out. STS answers 404
// both for "no signing key" and when its key query fails (§15.2.7), so a 404 is read as a missing key only while
// Postgres and that STS pod are healthy: rotating a key during a database outage fixes nothing.
import { z } from 'zod';
import { TargetError } from '../../errors.ts';
import type { CheckContext, CheckDefinition } from '../types.ts';
import { combine, type Finding } from './findings.ts';
import { joinUrl } from '../../url.ts';
import { podLabel, readJson } from './metrics-json.ts';
import { podFindings } from './per-pod.ts';
import { discoverZones } from '../discovery/zones.ts';

/** Why a 404 cannot be trusted as "no key" right now, or undefined when Postgres and the STS pod are healthy. */
type Doubt = (base: string) => Promise<string | undefined>;

function doubts(ctx: CheckContext, signal: AbortSignal): Doubt {
  let pg: Promise<string | undefined> | undefined;
  const sts = new Map<string, Promise<string | undefined>>();
  const postgres = () =>
    (pg ??= ctx.postgres
      ? ctx.postgres.query('SELECT 1').then(
          () => undefined,
          (err: unknown) => `Postgres is unreachable (${err instanceof Error ? err.message : String(err)})`,
        )
      : Promise.resolve(undefined));
  const ready = (base: string) => {
    const known = sts.get(base);
    if (known) return known;
    const p = (async () => {
      try {
        const r = await ctx.http.request(joinUrl(base, '/ready'), { signal });
        return r.status === 200 ? undefined : `STS /ready answered ${r.status} ${r.text.slice(0, 80).trim()}`;
      } catch (err) {
        if (err instanceof TargetError) return `STS /ready: ${err.message}`;
        throw err;
      }
    })();
    sts.set(base, p);
    return p;
  };
  return async (base) => (await postgres()) ?? (await ready(base));
}

// Only `kid` is needed to tell keys apart; the rest of each JWK is the verifiers' business.
const jwks = z.object({ keys: z.array(z.looseObject({ kid: z.string() })) });

const NO_KEY_REMEDY =
  'create or rotate the zone signing key with POST /internal/zones/{zoneID}/signing-key/rotate on STS ' +
  '(Bearer STS_ADMIN_TOKEN), or check that caracal.zones lists real zone IDs.';
const KEK_REMEDY =
  "check the STS's SECRET_STORE_KEK (and SECRET_STORE_KEK_PREVIOUS during a rotation) matches the key envelopes; " +
  'restore the right KEK, never regenerate a lost one.';

async function probe(
  ctx: CheckContext,
  base: string,
  zone: string,
  signal: AbortSignal,
  doubt: Doubt,
  label = podLabel('sts', base),
): Promise<Finding> {
  const where = `${label} zone ${zone}`;
  const url = joinUrl(base, `/.well-known/jwks.json?zone_id=${encodeURIComponent(zone)}`);
  const read = await readJson(ctx, url, jwks, {
    bearer: undefined,
    signal,
    authHint: 'JWKS is public: something in front of STS demands auth',
  });
  if (read.ok) {
    const { keys } = read.value;
    if (keys.length > 0) return { status: 'pass', line: `${where}: ${keys.length} key(s), kid ${keys.map((k) => k.kid).join(', ')}` };
    return {
      status: 'fail',
      line: `${where}: JWKS has no keys (every key failed to decrypt or parse; see caracal_sts_jwks_invalid_keys_total)`,
      remedy: `Zone ${zone}: ${KEK_REMEDY}`,
      matrix: ['sts'],
    };
  }
  if (read.status === 404) {
    const why = await doubt(base);
    if (why !== undefined) {
      return {
        status: 'fail',
        line: `${where}: JWKS 404 while ${why}: STS answers 404 when its key query fails, so this is not a missing key`,
        remedy: `${podLabel('sts', base)}: restore Postgres and STS readiness first (see postgres.reachable and services.ready), then re-run; do not rotate keys now.`,
        matrix: ['sts', 'postgres'],
      };
    }
    return {
      status: 'fail',
      line: `${where}: no signing key (HTTP 404, with Postgres and STS ready)`,
      remedy: `Zone ${zone}: ${NO_KEY_REMEDY}`,
      matrix: ['sts'],
    };
  }
  if (read.status === 500) {
    return { status: 'fail', line: `${where}: no key decrypts (HTTP 500)`, remedy: `Zone ${zone}: ${KEK_REMEDY}`, matrix: ['sts'] };
  }
  return {
    status: 'fail',
    line: `${where}: ${read.problem}`,
    remedy: `${podLabel('sts', base)}: JWKS could not be verified; see services.ready for this pod.`,
    matrix: ['sts'],
  };
}

export const stsJwks: CheckDefinition = {
  id: 'sts.jwks',
  title: 'STS JWKS per zone',
  gates: ['services'],
  reads:
    "GET /.well-known/jwks.json?zone_id= on every STS pod for every configured zone; on a 404, Postgres SELECT 1 and that pod's /ready",
  async run(ctx, signal) {
    // caracal.zones when set, otherwise every zone the admin token lists (issue 19).
    const found = await discoverZones(ctx, signal);
    const zones = found.ok ? found.items.map((z) => z.id) : [];
    if (zones.length === 0) {
      return {
        status: 'warn',
        summary: `JWKS not checked: ${found.ok ? 'no zone is visible to the admin token' : found.problem}.`,
        remedy: 'Set CARACAL_ADMIN_TOKEN so the zones are listed, or list the zone IDs under caracal.zones.',
      };
    }
    const doubt = doubts(ctx, signal);
    const {
      findings,
      answers: reads,
      pods,
    } = await podFindings(ctx, 'sts', signal, (pod) =>
      Promise.all(zones.map((zone) => probe(ctx, pod.url, zone, signal, doubt, pod.label))),
    );
    const good = reads.filter((f) => f.status === 'pass').length;
    return combine(
      findings,
      {
        pass: `Every STS pod serves keys for all ${zones.length} configured zones.`,
        lead: `${reads.length - good} of ${zones.length * Math.max(pods, 1)} zone/pod JWKS reads failed`,
      },
      { 'zones.checked': zones.length, 'jwks.ok': good },
    );
  },
};
