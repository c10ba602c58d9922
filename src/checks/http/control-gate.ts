// control.gate: what of the runbook's Control row can be seen from outside (caracal-ops.md §8): whether the
// Control plugin is mounted in the API and its file gate is open. One unauthenticated POST /v1/control/invoke:
// the gate is checked first (503 control_disabled), then the token (401). Caracal audits that denied call as a
// control.invoke event, which is the price of looking. JWKS, Redis and API readiness have their own checks.
import { TargetError } from '../../errors.ts';
import type { CheckDefinition } from '../types.ts';
import { joinUrl } from '../../url.ts';
import { notConfigured, podLabel, snippet } from './metrics-json.ts';

function errorCode(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === 'string') return body.error;
    if (typeof body.error === 'object' && body.error !== null && 'code' in body.error && typeof body.error.code === 'string')
      return body.error.code;
  } catch {
    return undefined;
  }
  return undefined;
}

export const controlGate: CheckDefinition = {
  id: 'control.gate',
  title: 'Control gate',
  gates: ['services'],
  reads: 'one unauthenticated POST /v1/control/invoke on the first API pod (denied; Caracal audits it as control.invoke)',
  async run(ctx, signal) {
    const [base] = ctx.caracal.services.api;
    if (!base) {
      const f = notConfigured('api');
      return { status: f.status, summary: f.line, ...(f.remedy ? { remedy: f.remedy } : {}) };
    }
    const label = podLabel('api', base);
    let status: number;
    let text: string;
    try {
      ({ status, text } = await ctx.http.request(joinUrl(base, '/v1/control/invoke'), { method: 'POST', body: {}, signal }));
    } catch (err) {
      if (!(err instanceof TargetError)) throw err;
      return {
        status: 'fail',
        summary: `${label}: Control could not be asked, so it cannot serve: ${err.message}`,
        remedy: 'See services.ready for the API: Control runs inside it.',
        matrix: ['api', 'control'],
      };
    }
    const code = errorCode(text);
    const evidence = [`POST /v1/control/invoke without a token: HTTP ${status} ${snippet(text)}`];
    if (status === 404 && code !== 'control_disabled') {
      return {
        status: 'pass',
        summary: 'Control is not enabled in this API (no /v1/control/invoke route): there is nothing to restore.',
        evidence,
      };
    }
    if (status === 503 && code === 'control_disabled') {
      return {
        status: 'warn',
        summary: 'Control is mounted but its gate is closed (503 control_disabled): automation dispatch is unavailable.',
        evidence,
        remedy:
          'If Control should be on, restore the gate file (CONTROL_GATE_FILE; Helm control.enabled=true renders it as the ' +
          '<release>-control-gate ConfigMap), no restart needed. Until then use the Console or Admin SDK, which need the API ready.',
        matrix: ['control'],
      };
    }
    if (status === 401)
      return { status: 'pass', summary: 'Control is mounted and its gate is open (a call without a token is refused with 401).', evidence };
    return {
      status: 'fail',
      summary: `Control answered HTTP ${status}${code ? ` ${code}` : ''} to a call without a token: it cannot serve.`,
      evidence,
      remedy:
        'Restore Redis (Control rate limits and its JTI check use it) and the API readiness; then check the Control token and STS JWKS (sts.jwks).',
      matrix: ['control', ...(status >= 500 ? (['redis'] as const) : [])],
    };
  },
};
