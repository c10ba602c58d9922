// resume.canary: before traffic resumes, one allowed and one denied request go through the Gateway (its Service
// URL, like real traffic), and both decisions must then be found in Audit by request ID (caracal-ops.md §12
// "Resume traffic"; Audit GET /api/audit/search?zone_id&request_id, §1.4). A canary that cannot run fails.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { CanaryConfig } from '../../config.ts';
import { TargetError } from '../../errors.ts';
import { displayUrl } from '../targets/http.ts';
import type { CheckContext, CheckDefinition } from '../types.ts';
import { combine, type Finding } from './findings.ts';
import { joinUrl } from '../../url.ts';
import { readJson, snippet } from './metrics-json.ts';

type Kind = 'allow' | 'deny';
const DECISION: Record<Kind, RegExp> = { allow: /^allow/i, deny: /^den/i };

// Audit's rows have Go field names (no JSON tags); the event inside has snake_case keys (§5.3).
const search = z.object({
  events: z
    .array(z.looseObject({ Event: z.looseObject({ request_id: z.string().optional(), decision: z.string().optional() }) }))
    .nullable(),
});

interface Sent {
  kind: Kind;
  requestId: string;
  finding: Finding;
  ok: boolean;
}

async function send(ctx: CheckContext, canary: CanaryConfig, kind: Kind, signal: AbortSignal): Promise<Sent> {
  const req = canary[kind];
  const base = ctx.caracal.services.gateway[0];
  const requestId = `caracal-chatops-canary-${kind}-${randomUUID()}`;
  const where = `${kind} canary ${req.method} ${req.path}`;
  if (!base)
    return { kind, requestId, ok: false, finding: { status: 'fail', line: `${where}: not sent, caracal.services.gateway is empty` } };
  try {
    const res = await ctx.http.request(joinUrl(base, req.path), {
      method: req.method,
      bearer: ctx.secrets.canaryBearer,
      headers: { ...req.headers, 'x-request-id': requestId },
      signal,
    });
    const id = res.header('x-request-id') ?? requestId;
    if (res.status !== req.expectStatus) {
      return {
        kind,
        requestId: id,
        ok: false,
        finding: {
          status: 'fail',
          line: `${where} via ${displayUrl(base)}: HTTP ${res.status} ${snippet(res.text, 100)}, expected ${req.expectStatus}`,
          remedy:
            res.status === 503
              ? 'The Gateway fails closed (503): see gateway.revocation and services.ready.'
              : 'Check the canary mandate (CARACAL_CANARY_BEARER), its resource and the zone policy.',
          matrix: ['gateway'],
        },
      };
    }
    return { kind, requestId: id, ok: true, finding: { status: 'pass', line: `${where}: HTTP ${res.status} as expected (request ${id})` } };
  } catch (err) {
    if (!(err instanceof TargetError)) throw err;
    return { kind, requestId, ok: false, finding: { status: 'fail', line: `${where}: ${err.message}`, matrix: ['gateway'] } };
  }
}

/** Audit ingests through Redis and Postgres, so the decision appears after a moment: ask again until the bound. */
async function lookup(ctx: CheckContext, canary: CanaryConfig, sent: Sent, signal: AbortSignal): Promise<Finding> {
  const base = ctx.caracal.services.audit[0];
  const label = `${sent.kind} canary ${sent.requestId}`;
  if (!base) return { status: 'fail', line: `${label}: not looked up, caracal.services.audit is empty` };
  if (!ctx.secrets.auditAdminToken)
    return {
      status: 'fail',
      line: `${label}: not looked up, CARACAL_AUDIT_ADMIN_TOKEN is not set`,
      remedy: 'Set CARACAL_AUDIT_ADMIN_TOKEN: the canary needs the Audit search.',
    };
  const url = joinUrl(
    base,
    `/api/audit/search?zone_id=${encodeURIComponent(canary.zoneId)}&request_id=${encodeURIComponent(sent.requestId)}`,
  );
  const deadline = Date.now() + canary.lookupTimeoutMs;
  let last = 'no matching event yet';
  for (let wait = 100; ; wait = Math.min(wait * 2, 1000)) {
    const read = await readJson(ctx, url, search, {
      bearer: ctx.secrets.auditAdminToken,
      signal,
      authHint: 'Audit admin token missing or rejected (CARACAL_AUDIT_ADMIN_TOKEN)',
    });
    if (read.ok) {
      const events = (read.value.events ?? []).map((e) => e.Event).filter((e) => e.request_id === sent.requestId);
      const match = events.find((e) => DECISION[sent.kind].test(e.decision ?? ''));
      if (match) return { status: 'pass', line: `${label}: found in Audit with decision ${match.decision}` };
      if (events.length > 0) last = `found with decision ${events.map((e) => e.decision ?? '?').join(', ')}, expected ${sent.kind}`;
    } else {
      last = read.problem;
      if (read.status !== undefined && read.status !== 200) break;
    }
    if (Date.now() + wait > deadline || signal.aborted) break;
    await sleep(wait, undefined, { signal }).catch(() => undefined);
  }
  return {
    status: 'fail',
    line: `${label}: its decision is not in Audit: ${last}`,
    remedy: 'Evidence of live decisions is not reaching Audit: see audit.replay, audit.dlq and redis.streams (audit-ingestor).',
    matrix: ['audit'],
  };
}

export const resumeCanary: CheckDefinition = {
  id: 'resume.canary',
  title: 'Resume canary (allow and deny through the Gateway, found in Audit)',
  gates: ['resume'],
  reads:
    'caracal.canary: one allowed and one denied request through the Gateway Service URL (CARACAL_CANARY_BEARER); Audit /api/audit/search by request ID',
  async run(ctx, signal) {
    const canary = ctx.caracal.canary;
    if (!canary) {
      return {
        status: 'fail',
        summary: 'The canary cannot run: caracal.canary is not configured. A canary that cannot run is a failure, not a pass.',
        remedy:
          'Configure caracal.canary (zoneId; allow and deny requests: method, path, headers, expectStatus) and CARACAL_CANARY_BEARER.',
      };
    }
    if (!ctx.secrets.canaryBearer) {
      return {
        status: 'fail',
        summary: 'The canary cannot run: CARACAL_CANARY_BEARER (its mandate) is not set.',
        remedy: 'Set CARACAL_CANARY_BEARER to a mandate for the canary zone.',
      };
    }
    const sent = await Promise.all((['allow', 'deny'] as const).map((k) => send(ctx, canary, k, signal)));
    const found = await Promise.all(sent.map((s) => (s.ok ? lookup(ctx, canary, s, signal) : Promise.resolve(undefined))));
    const findings = [...sent.map((s) => s.finding), ...found.filter((f): f is Finding => f !== undefined)];
    return combine(
      findings,
      { pass: 'Canary: the Gateway allowed and denied as expected, and Audit holds both decisions.', lead: 'Canary' },
      { 'canary.sent': sent.length },
    );
  },
};
