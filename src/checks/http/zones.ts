// zones: every zone the admin token sees (or the configured subset), each with the reads Caracal's own diagnostics
// make (packages/engine/src/doctor.ts): the zone itself, its resources, its policy sets with their active
// versions, and one audit query. The runbook's last step is "canary allow/deny plus locate audit evidence": a zone
// whose policy sets or audit trail cannot be read cannot be proven safe.
import pLimit from 'p-limit';
import { z } from 'zod';
import type { CheckContext, CheckDefinition } from '../types.ts';
import { discoverZones, firstApi, ZONE_CONCURRENCY, zonePolicySets, type PolicySetRef, type ZoneRef } from '../discovery/zones.ts';
import { combine, type Finding } from './findings.ts';
import type { JsonRead } from './metrics-json.ts';

const zoneBody = z.looseObject({ id: z.string(), name: z.string().nullish() });
const firstPage = z.object({ items: z.array(z.unknown()), next_cursor: z.string().nullish() });

function problem(part: string, read: Extract<JsonRead<unknown>, { ok: false }>): string {
  if (read.status === 404) return `${part}: not found (HTTP 404)`;
  if (read.status === 429) return `${part}: rate limited by the API (HTTP 429)`;
  return `${part}: ${read.problem}`;
}

function policyText(sets: PolicySetRef[]): string {
  const active = sets.filter((s) => s.activeVersionId !== null);
  if (sets.length === 0) return 'no policy sets';
  if (active.length === 0) return `${sets.length} policy set(s), none active`;
  return `${sets.length} policy set(s), ${active.length} active (${active.map((s) => `${s.policySetId}@${s.activeVersionId}`).join(', ')})`;
}

async function zoneFinding(ctx: CheckContext, zone: ZoneRef, signal: AbortSignal): Promise<Finding> {
  // Queued behind the concurrency limit when the check timed out: no reads after the verdict.
  if (signal.aborted) return { status: 'fail', line: `zone ${zone.id}: not read before the check timed out` };
  const id = encodeURIComponent(zone.id);
  const lookup = await firstApi(ctx, `/v1/zones/${id}`, zoneBody, signal);
  if (!lookup.ok) {
    const missing = lookup.status === 404;
    return {
      status: 'fail',
      line: `zone ${zone.id}: ${problem('lookup', lookup)}`,
      remedy: missing
        ? `Zone ${zone.id}: the API does not know it (archived or a typo): fix caracal.zones or remove it.`
        : 'The admin API could not answer for this zone: see admin.auth and services.ready for the API.',
      matrix: ['control'],
    };
  }
  const label = `zone ${zone.id} (${lookup.value.name ?? zone.name ?? 'no name'})`;
  const [resources, policySets, audit] = await Promise.all([
    firstApi(ctx, `/v1/zones/${id}/resources?limit=200`, firstPage, signal),
    zonePolicySets(ctx, zone.id, signal),
    firstApi(ctx, `/v1/zones/${id}/audit?limit=1`, firstPage, signal),
  ]);
  const parts: string[] = [];
  const bad: string[] = [];
  if (resources.ok) {
    const n = resources.value.items.length;
    parts.push(n === 0 ? 'no resources' : `${n}${resources.value.next_cursor ? '+' : ''} resource(s)`);
  } else bad.push(problem('resources', resources));
  if (policySets.ok) parts.push(policyText(policySets.value));
  else bad.push(problem('policy sets', policySets));
  if (audit.ok) parts.push('audit queryable');
  else bad.push(problem('audit query', audit));
  if (bad.length === 0) return { status: 'pass', line: `${label}: ${parts.join('; ')}` };
  return {
    status: 'fail',
    line: `${label}: ${[...bad, ...parts].join('; ')}`,
    remedy: `${label}: the admin API could not read it; check the API logs and its Postgres (audit reads go to audit_events).`,
    matrix: ['control'],
  };
}

export const zonesCheck: CheckDefinition = {
  id: 'zones',
  title: 'Zone diagnostics',
  gates: ['safety'],
  reads: 'API /v1/zones (or caracal.zones), then per zone: the zone, its resources, its policy sets and one audit query',
  async run(ctx, signal) {
    const zones = await discoverZones(ctx, signal);
    if (!zones.ok) {
      return {
        status: 'fail',
        summary: `Zones not checked: ${zones.problem}`,
        remedy: 'Set CARACAL_API_READ_TOKEN (a read-only API admin token), or list the zones under caracal.zones; see admin.auth.',
        matrix: ['control'],
      };
    }
    if (zones.items.length === 0) {
      return {
        status: 'warn',
        summary: 'No zones are visible to the admin token: nothing to check.',
        remedy: 'Check the admin token scope (a zone-scoped token lists only its zones), or create the zone.',
        metrics: { 'zones.visible': 0 },
      };
    }
    const limit = pLimit(ZONE_CONCURRENCY);
    const findings = await Promise.all(zones.items.map((zone) => limit(() => zoneFinding(ctx, zone, signal))));
    const good = findings.filter((f) => f.status === 'pass').length;
    const from = zones.source === 'config' ? 'configured' : 'visible';
    return combine(
      findings,
      {
        pass: `All ${zones.items.length} ${from} zones answer: zone, resources, policy sets and audit query.`,
        lead: `${zones.items.length - good} of ${zones.items.length} ${from} zones could not be fully read`,
      },
      { 'zones.source': zones.source, 'zones.checked': zones.items.length, 'zones.ok': good },
    );
  },
};
