// Force a revocation snapshot reload on every Gateway pod (POST /internal/revocations/reload reloads only the
// pod that receives it, so each discovered pod is called by its own address, never through the Service).
import { podsOf } from '../checks/discovery/pods.ts';
import { joinUrl } from '../url.ts';
import type { RemediationAction } from './types.ts';
import { postAdmin } from './call.ts';

export const gatewayReload: RemediationAction = {
  id: 'gateway.reload',
  title: 'Reload revocation snapshots (every Gateway pod)',
  gate: 'safety',
  confirmText:
    'Calls POST /internal/revocations/reload on every Gateway pod (caracal.discovery.gateway) with the admin token, and reports each pod.',
  async run(ctx, signal) {
    const set = await podsOf(ctx, 'gateway', signal);
    if (set.problem !== undefined)
      return { ok: false, lines: [], summary: `Gateway pods could not be discovered (${set.from}): ${set.problem}. Nothing was reloaded.` };
    if (set.pods.length === 0) return { ok: false, lines: [], summary: 'No Gateway pod is configured (caracal.services.gateway).' };
    const results = await Promise.all(
      set.pods.map(async (pod) => {
        const url = joinUrl(pod.url, '/internal/revocations/reload');
        const r = await postAdmin(ctx, 'gateway', url, signal);
        return { ...r, line: `${pod.name ? `pod ${pod.name}: ` : ''}${r.line}` };
      }),
    );
    const done = results.filter((r) => r.ok).length;
    const from = set.source === 'static' ? '' : ` (found from ${set.from})`;
    return {
      ok: done === results.length,
      lines: results.map((r) => r.line),
      summary: `Revocation snapshot reloaded on ${done} of ${results.length} Gateway pod(s)${from}.`,
    };
  },
};
