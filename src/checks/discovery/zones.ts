// Which zones and policy sets to check: the ones the config lists (an explicit subset), or else every zone the admin
// token can see (GET /v1/zones) and every policy set with an active version in them, as Caracal's own diagnostics
// do (packages/engine/src/doctor.ts). A zone added after the config was written is then checked too.
// Reads started while the same read is in flight are shared, so the checks of one run list the zones once.
import pLimit from 'p-limit';
import { z } from 'zod';
import type { CheckContext } from '../types.ts';
import { joinUrl } from '../../url.ts';
import { readJson, type JsonRead } from '../http/metrics-json.ts';
import { shared } from './in-flight.ts';

export interface ZoneRef {
  id: string;
  name: string | undefined;
}

export interface PolicySetRef {
  zoneId: string;
  policySetId: string;
  name: string | undefined;
  activeVersionId: string | null;
}

export type Discovered<T> = { ok: true; items: T[]; source: 'config' | 'admin' } | { ok: false; problem: string; status?: number };

/**
 * Zones read at once. Each zone costs a few /v1 reads, and the API allows 600 per minute per IP with the same
 * Postgres pool serving everyone else: a bounded crowd, not one request per zone at the same instant.
 */
export const ZONE_CONCURRENCY = 8;

/** Caracal's lists are keyset pages of at most 500 (apps/api/src/routes/list-pagination.ts). */
const PAGE_LIMIT = 500;
/** Caracal's admin client stops after 50 pages: a cursor chain that never ends is a server bug. */
const MAX_PAGES = 50;

const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), next_cursor: z.string().nullish() });
const zoneItem = z.looseObject({ id: z.string().min(1), name: z.string().nullish() });
const policySetItem = z.looseObject({ id: z.string().min(1), name: z.string().nullish(), active_version_id: z.string().nullish() });

export const ADMIN_AUTH_HINT =
  'admin token missing or rejected: set CARACAL_API_READ_TOKEN (or CARACAL_ADMIN_TOKEN) to a token that may read zones';

/** Reads go with the read-only API token when there is one; the global admin token also reloads Gateways. */
export function readToken(ctx: CheckContext): string | undefined {
  return ctx.secrets.apiReadToken ?? ctx.secrets.adminToken;
}

/** GET a list on the first API pod that answers over HTTP (they share one database), following next_cursor. */
export async function listAll<T extends z.ZodType>(
  ctx: CheckContext,
  path: string,
  item: T,
  signal: AbortSignal,
): Promise<JsonRead<z.infer<T>[]>> {
  const items: z.infer<T>[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < MAX_PAGES; n++) {
    const query = `?limit=${PAGE_LIMIT}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const read = await firstApi(ctx, `${path}${query}`, page(item), signal);
    if (!read.ok) return read;
    items.push(...read.value.items);
    if (!read.value.next_cursor) return { ok: true, value: items };
    cursor = read.value.next_cursor;
  }
  return { ok: false, problem: `${path}: the list did not end after ${MAX_PAGES} pages` };
}

/**
 * GET `path` on each API URL in turn until one answers over HTTP: they share one database, so any answer is the
 * answer. The read token by default; `auth` names another token and what to say when it is refused.
 */
export async function firstApi<S extends z.ZodType>(
  ctx: CheckContext,
  path: string,
  schema: S,
  signal: AbortSignal,
  auth: { bearer: string | undefined; hint: string } = { bearer: readToken(ctx), hint: ADMIN_AUTH_HINT },
): Promise<JsonRead<z.infer<S>>> {
  let last: JsonRead<z.infer<S>> = { ok: false, problem: 'no API URL configured (caracal.services.api)' };
  for (const base of ctx.caracal.services.api) {
    last = await readJson(ctx, joinUrl(base, path), schema, { bearer: auth.bearer, signal, authHint: auth.hint });
    if (last.ok || last.status !== undefined) return last;
  }
  return last;
}

/** The zones to check: caracal.zones when set, otherwise every zone the admin token lists. */
export function discoverZones(ctx: CheckContext, signal: AbortSignal): Promise<Discovered<ZoneRef>> {
  if (ctx.caracal.zones.length > 0) {
    return Promise.resolve({ ok: true, source: 'config', items: ctx.caracal.zones.map((id) => ({ id, name: undefined })) });
  }
  if (!readToken(ctx)) {
    return Promise.resolve({
      ok: false,
      problem: 'caracal.zones is empty and neither CARACAL_API_READ_TOKEN nor CARACAL_ADMIN_TOKEN is set, so no zone can be listed',
    });
  }
  return shared(ctx, 'zones', signal, async (own) => {
    const read = await listAll(ctx, '/v1/zones', zoneItem, own);
    if (!read.ok)
      return { ok: false, problem: `zones could not be listed: ${read.problem}`, ...(read.status ? { status: read.status } : {}) };
    return { ok: true, source: 'admin', items: read.value.map((zone) => ({ id: zone.id, name: zone.name ?? undefined })) };
  });
}

/** Every policy set of one zone, with its active version (null when none is active). */
export function zonePolicySets(ctx: CheckContext, zoneId: string, signal: AbortSignal): Promise<JsonRead<PolicySetRef[]>> {
  return shared(ctx, `policy-sets:${zoneId}`, signal, async (own) => {
    const read = await listAll(ctx, `/v1/zones/${encodeURIComponent(zoneId)}/policy-sets`, policySetItem, own);
    if (!read.ok) return read;
    return {
      ok: true,
      value: read.value.map((ps) => ({
        zoneId,
        policySetId: ps.id,
        name: ps.name ?? undefined,
        activeVersionId: ps.active_version_id ?? null,
      })),
    };
  });
}

/** The policy sets whose activation must be loaded: caracal.policySets when set, else every active one discovered. */
export async function discoverPolicySets(ctx: CheckContext, signal: AbortSignal): Promise<Discovered<PolicySetRef>> {
  if (ctx.caracal.policySets.length > 0) {
    const items = ctx.caracal.policySets.map((p) => ({ ...p, name: undefined, activeVersionId: null }));
    return { ok: true, source: 'config', items };
  }
  const zones = await discoverZones(ctx, signal);
  if (!zones.ok) return zones;
  const limit = pLimit(ZONE_CONCURRENCY);
  // Queued zones are dropped once the check has timed out: no reads after the verdict.
  const cancelled: JsonRead<PolicySetRef[]> = { ok: false, problem: 'not read before the check timed out' };
  const reads = await Promise.all(
    zones.items.map((zone) => limit(() => (signal.aborted ? cancelled : zonePolicySets(ctx, zone.id, signal)))),
  );
  const items: PolicySetRef[] = [];
  for (const [i, read] of reads.entries()) {
    if (!read.ok) return { ok: false, problem: `policy sets of zone ${zones.items[i].id} could not be listed: ${read.problem}` };
    items.push(...read.value.filter((ps) => ps.activeVersionId !== null));
  }
  return { ok: true, source: 'admin', items };
}
