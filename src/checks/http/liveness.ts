// services.live: GET /health of every pod, apart from readiness, so "process up, not ready" (services.ready fails,
// this passes) and "process down" (both fail) read differently (caracal-ops.md §1.1: the Helm liveness probe).
// Audit's /health is 503 while its stream consumer is unhealthy, so Kubernetes restarts Audit during Redis trouble.
import { SERVICES, type ServiceName } from '../../config.ts';
import { TargetError } from '../../errors.ts';
import type { CheckContext, CheckDefinition } from '../types.ts';
import type { MetricValue } from '../../domain/check-result.ts';
import { combine, type Finding } from './findings.ts';
import { joinUrl } from '../../url.ts';
import { podLabel, snippet } from './metrics-json.ts';
import { eachServicePods, SERVICES_IN_RUNBOOK_ORDER, tallyService } from './per-pod.ts';
import { SERVICE_ROW } from './ready-probe.ts';

async function probe(
  ctx: CheckContext,
  service: ServiceName,
  base: string,
  signal: AbortSignal,
  label = podLabel(service, base),
): Promise<Finding> {
  try {
    const res = await ctx.http.request(joinUrl(base, '/health'), { signal });
    if (res.status === 200) return { status: 'pass', line: `${label}: live (/health 200)` };
    if (service === 'audit' && res.status === 503) {
      return {
        status: 'fail',
        line: `${label}: process up, stream consumer unhealthy (/health 503 ${snippet(res.text, 60)})`,
        remedy: `${label}: Audit cannot read caracal.audit.events: restore Redis (and the audit-ingestor group, see redis.streams); Kubernetes restarts the pod while this lasts.`,
        matrix: ['audit'],
      };
    }
    return {
      status: 'fail',
      line: `${label}: process answers but /health is HTTP ${res.status} ${snippet(res.text, 80)}`,
      remedy: `${label}: check that caracal.services.${service} points at the ${service} pod itself, and its logs.`,
      matrix: [SERVICE_ROW[service]],
    };
  } catch (err) {
    if (!(err instanceof TargetError)) throw err;
    return {
      status: 'fail',
      line: `${label}: process down or unreachable: ${err.message}`,
      remedy: `${label}: the process is not answering at all: check the pod is running (kubectl get pods, its restarts and last logs) and that the bot may reach it.`,
      matrix: [SERVICE_ROW[service]],
    };
  }
}

export const servicesLive: CheckDefinition = {
  id: 'services.live',
  title: 'Service liveness',
  gates: ['services'],
  reads: 'GET /health of every configured STS, API, Gateway, Audit and Coordinator pod',
  async run(ctx, signal) {
    const perService = await eachServicePods(ctx, SERVICES_IN_RUNBOOK_ORDER, signal, (service, pod) =>
      probe(ctx, service, pod.url, signal, pod.label),
    );
    const metrics: Record<string, MetricValue> = {};
    const findings: Finding[] = [];
    let pods = 0;
    let live = 0;
    for (const { service, fan } of perService) {
      const { findings: own, asked, passed } = tallyService(fan, (f) => f);
      metrics[`live.${service}`] = `${passed}/${asked}`;
      pods += asked;
      live += passed;
      findings.push(...own);
    }
    metrics['pods.live'] = live;
    return combine(
      findings,
      {
        pass: `All ${pods} pods of the ${SERVICES.length} services are live (/health 200); readiness is services.ready.`,
        lead: `${pods - live} of ${pods} pods not live`,
      },
      metrics,
    );
  },
};
