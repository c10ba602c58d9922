// Force a revocation snapshot reload on every Gateway pod (POST /internal/revocations/reload reloads only the
// pod that receives it, so each pod is called).
import type { RemediationAction } from './types.ts';
import { postAdmin } from './call.ts';
import { callLine } from './hints.ts';

export const gatewayReload: RemediationAction = {
  id: 'gateway.reload',
  title: 'Reload revocation snapshots (every Gateway pod)',
  gate: 'safety',
  confirmText: 'Calls POST /internal/revocations/reload on every configured Gateway pod with the admin token.',
  async run(ctx, signal) {
    const pods = ctx.caracal.services.gateway;
    if (pods.length === 0) return { ok: false, lines: [], summary: 'No Gateway pod is configured (caracal.services.gateway).' };
    const results = await Promise.all(
      pods.map(async (base) => {
        const url = `${base.replace(/\/+$/, '')}/internal/revocations/reload`;
        const r = await postAdmin(ctx, url, ctx.secrets.adminToken, 'CARACAL_ADMIN_TOKEN', signal);
        return { ...r, line: callLine('gateway', url, r) };
      }),
    );
    const done = results.filter((r) => r.ok).length;
    return {
      ok: done === results.length,
      lines: results.map((r) => r.line),
      summary: `Revocation snapshot reloaded on ${done} of ${results.length} Gateway pod(s).`,
    };
  },
};
