// services.ready: GET /ready on every configured pod of the five core services (runbook "Restore STS, API,
// Gateway, Audit, Coordinator", caracal-ops.md §12). Each pod counts: Gateway state is per pod.
import { SERVICES, type ServiceName } from '../../config.ts';
import type { CheckDefinition, MetricValue } from '../types.ts';
import { combine, type Finding } from './findings.ts';
import { notConfigured } from './metrics-json.ts';
import { probeReady } from './ready-probe.ts';

// The runbook's order, used for the evidence lines.
const ORDER: readonly ServiceName[] = ['sts', 'api', 'gateway', 'audit', 'coordinator'];

export const servicesReady: CheckDefinition = {
  id: 'services.ready',
  title: 'Service readiness',
  gates: ['services'],
  reads: 'GET /ready of every configured STS, API, Gateway, Audit and Coordinator pod',
  async run(ctx, signal) {
    const perService = await Promise.all(
      ORDER.map(async (service): Promise<[ServiceName, Finding[]]> => {
        const urls = ctx.caracal.services[service];
        if (urls.length === 0) return [service, [notConfigured(service)]];
        return [service, await Promise.all(urls.map((url) => probeReady(ctx, service, url, signal)))];
      }),
    );
    const metrics: Record<string, MetricValue> = {};
    let pods = 0;
    let ready = 0;
    for (const [service, findings] of perService) {
      const configured = ctx.caracal.services[service].length;
      const ok = findings.filter((f) => f.status === 'pass').length;
      metrics[`ready.${service}`] = `${ok}/${configured}`;
      pods += configured;
      ready += ok;
    }
    metrics['pods.checked'] = pods;
    metrics['pods.ready'] = ready;
    const findings = perService.flatMap(([, f]) => f);
    const missing = ORDER.filter((s) => ctx.caracal.services[s].length === 0).length;
    return combine(
      findings,
      {
        pass: `All ${pods} pods of the ${SERVICES.length} services answered /ready with their exact success body.`,
        lead: `${pods - ready} of ${pods} pods not ready${missing > 0 ? `, ${missing} services not configured` : ''}`,
      },
      metrics,
    );
  },
};
