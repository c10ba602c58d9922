// admin.config and admin.auth: the admin token as checks of their own, as Caracal's diagnostics have them, so a
// missing, wrong or expired token reads as that, not as a side effect inside sts.policy or zones.
import { z } from 'zod';
import type { CheckContext, CheckDefinition } from '../types.ts';
import { ADMIN_AUTH_HINT } from '../discovery/zones.ts';
import { combine, type Finding } from './findings.ts';
import { joinUrl } from '../../url.ts';
import { podLabel, readJson, snippet } from './metrics-json.ts';
import { podFindings } from './per-pod.ts';

const TOKEN_REMEDY =
  'Set CARACAL_ADMIN_TOKEN (or CARACAL_ADMIN_TOKEN_FILE) to an admin token of this deployment; a read-only, ' +
  'capability-scoped token is enough for the checks (Console → Settings → Admin tokens).';

export const adminConfig: CheckDefinition = {
  id: 'admin.config',
  title: 'Admin API configuration',
  gates: ['services'],
  reads: 'the bot configuration: CARACAL_ADMIN_TOKEN and caracal.services.api',
  run(ctx) {
    const problems: string[] = [];
    if (!ctx.secrets.adminToken) problems.push('CARACAL_ADMIN_TOKEN is not set: zones, policy sets and activation status cannot be read');
    if (ctx.caracal.services.api.length === 0) problems.push('caracal.services.api is empty: there is no API to ask');
    if (problems.length === 0) {
      return Promise.resolve({
        status: 'pass',
        summary: `Admin token set; ${ctx.caracal.services.api.length} API URL(s) configured.`,
        metrics: { 'api.urls': ctx.caracal.services.api.length },
      });
    }
    return Promise.resolve({
      status: 'fail',
      summary: problems.join('; '),
      evidence: problems,
      remedy: ctx.secrets.adminToken ? 'List the API base URLs under caracal.services.api.' : TOKEN_REMEDY,
    });
  },
};

// One page of one zone is enough to prove the token: listing zones is an admin read every token scope allows.
const zonesPage = z.object({ items: z.array(z.unknown()), next_cursor: z.string().nullish() });

async function probe(ctx: CheckContext, base: string, signal: AbortSignal): Promise<Finding> {
  const label = podLabel('api', base);
  const read = await readJson(ctx, joinUrl(base, '/v1/zones?limit=1'), zonesPage, {
    bearer: ctx.secrets.adminToken,
    signal,
    authHint: ADMIN_AUTH_HINT,
  });
  if (read.ok) return { status: 'pass', line: `${label}: admin token accepted (GET /v1/zones answered 200)` };
  if (read.status === 401) {
    return {
      status: 'fail',
      line: `${label}: admin token rejected (HTTP 401): wrong, revoked or expired`,
      remedy: `${TOKEN_REMEDY} Every API pod must accept it.`,
    };
  }
  if (read.status === 403) {
    return { status: 'fail', line: `${label}: admin token lacks the scope to list zones (HTTP 403)`, remedy: TOKEN_REMEDY };
  }
  if (read.status === 429) {
    return {
      status: 'fail',
      line: `${label}: rate limited (HTTP 429): the token could not be tried`,
      remedy: 'Find what else calls /v1 from this address (600 per minute per IP).',
    };
  }
  return {
    status: 'fail',
    line: `${label}: the admin call did not answer: ${snippet(read.problem, 200)}`,
    remedy: 'The API could not serve an admin call (the token is unverified): see services.ready and services.live for this pod.',
    matrix: ['control'],
  };
}

export const adminAuth: CheckDefinition = {
  id: 'admin.auth',
  title: 'Admin API authentication',
  gates: ['services'],
  reads: 'GET /v1/zones?limit=1 with CARACAL_ADMIN_TOKEN on every configured API pod',
  async run(ctx, signal) {
    if (!ctx.secrets.adminToken) {
      return { status: 'fail', summary: 'Not checked: CARACAL_ADMIN_TOKEN is not set (see admin.config).', remedy: TOKEN_REMEDY };
    }
    const { findings, answers, pods } = await podFindings(ctx, 'api', signal, (pod) => probe(ctx, pod.url, signal));
    const good = answers.filter((f) => f.status === 'pass').length;
    return combine(
      findings,
      {
        pass: `Every API pod (${pods}) accepts the admin token.`,
        lead: `${answers.length - good} of ${answers.length} API pods did not accept an admin call`,
      },
      { 'pods.checked': pods, 'pods.accepted': good },
    );
  },
};
