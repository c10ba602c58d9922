// services.ready: GET /ready on every pod of the five core services (runbook "Restore STS, API, Gateway, Audit,
// Coordinator", caracal-ops.md §12). Each pod counts: Gateway state is per pod, so its pods are discovered
// (caracal.discovery) and counted against the live Gateway groups in Redis.
import { SERVICES } from '../../config.ts';
import type { CheckDefinition } from '../types.ts';
import type { MetricValue } from '../../domain/check-result.ts';
import { combine, type Finding } from './findings.ts';
import { gatewayCoverage } from './gateway-coverage.ts';
import { eachServicePods, SERVICES_IN_RUNBOOK_ORDER, tallyService } from './per-pod.ts';
import { probeReady } from './ready-probe.ts';

/** probeReady says "<pod>: no answer: …" when the pod did not answer at all; any HTTP answer means it was reached. */
const answered = (f: Finding) => !f.line.includes(': no answer: ');

export const servicesReady: CheckDefinition = {
  id: 'services.ready',
  title: 'Service readiness',
  gates: ['services'],
  reads:
    'GET /ready of every STS, API, Gateway, Audit and Coordinator pod (caracal.discovery); the live gateway-revocation groups in Redis',
  async run(ctx, signal) {
    const perService = await eachServicePods(ctx, SERVICES_IN_RUNBOOK_ORDER, signal, async (service, pod) => ({
      finding: await probeReady(ctx, service, pod.url, signal),
      name: pod.name,
    }));
    const metrics: Record<string, MetricValue> = {};
    const findings: Finding[] = [];
    let [pods, ready, missing] = [0, 0, 0];
    for (const { service, fan } of perService) {
      const { findings: own, asked, passed } = tallyService(fan, (r) => r.finding);
      metrics[`ready.${service}`] = `${passed}/${asked}`;
      pods += asked;
      ready += passed;
      findings.push(...own);
      if (!fan.ok) {
        missing++;
        continue;
      }
      if (service === 'gateway') {
        const reached = fan.results.filter((r) => answered(r.finding)).map((r) => ({ name: r.name }));
        findings.push(await gatewayCoverage(ctx, fan.set, reached));
      }
    }
    metrics['pods.checked'] = pods;
    metrics['pods.ready'] = ready;
    const notChecked = findings.find((f) => f.status === 'fail' && / pods not checked: /.test(f.line));
    return combine(
      findings,
      {
        pass: `All ${pods} pods of the ${SERVICES.length} services answered /ready with their exact success body.`,
        lead:
          `${pods - ready} of ${pods} pods not ready` +
          (missing > 0 ? `, ${missing} services not configured or not discovered` : '') +
          (notChecked ? `, ${notChecked.line.split(':')[0]}` : ''),
      },
      metrics,
    );
  },
};
