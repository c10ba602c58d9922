// The per-pod fan-out of the HTTP checks: find the service's pods (caracal.discovery), ask each one, and turn
// "no pod could be found" into a failing finding, never into a silent pass over zero pods.
import type { ServiceName } from '../../config.ts';
import { podsOf, type Pod, type PodSet } from '../discovery/pods.ts';
import type { CheckContext } from '../types.ts';
import { SERVICE_ROW } from './ready-probe.ts';
import type { Finding } from './findings.ts';
import { notConfigured, SERVICE_LABEL } from './metrics-json.ts';

export type FanOut<T> =
  | { ok: true; set: PodSet; results: T[]; /** How the pods were found, when not from the config. */ note: Finding | undefined }
  | { ok: false; set: PodSet; finding: Finding };

function discoveryFailed(set: PodSet): Finding {
  const name = SERVICE_LABEL[set.service];
  return {
    status: 'fail',
    line: `${name}: pods could not be discovered (${set.from}): ${set.problem ?? 'unknown'}; no ${name} pod was checked`,
    remedy:
      `Fix caracal.discovery.${set.service}: the headless Service (dns) or the Service and namespace (endpointslice) must select ` +
      `Caracal's ${name} pods; see deploy/kustomize/caracal-namespace.`,
    matrix: [SERVICE_ROW[set.service]],
  };
}

/** Ask every pod of `service`; the caller judges what each answered. */
export async function eachPod<T>(ctx: CheckContext, service: ServiceName, signal: AbortSignal, probe: (pod: Pod) => Promise<T>): Promise<FanOut<T>> {
  const set = await podsOf(ctx, service, signal);
  if (set.problem !== undefined) return { ok: false, set, finding: discoveryFailed(set) };
  if (set.pods.length === 0) return { ok: false, set, finding: notConfigured(service) };
  const results = await Promise.all(set.pods.map(probe));
  const names = set.pods.map((p) => p.name ?? p.url).join(', ');
  const note: Finding | undefined =
    set.source === 'static' ? undefined : { status: 'pass', line: `Discovery: ${SERVICE_LABEL[service]}, ${set.pods.length} pod(s) from ${set.from}: ${names}` };
  return { ok: true, set, results, note };
}

/** The common case: each pod gives one or more findings; returns them all and how many pods were asked. */
export async function podFindings(
  ctx: CheckContext,
  service: ServiceName,
  signal: AbortSignal,
  probe: (pod: Pod) => Promise<Finding | Finding[]>,
): Promise<{ findings: Finding[]; pods: number; set: PodSet }> {
  const fan = await eachPod(ctx, service, signal, probe);
  if (!fan.ok) return { findings: [fan.finding], pods: 0, set: fan.set };
  return { findings: [...(fan.note ? [fan.note] : []), ...fan.results.flat()], pods: fan.set.pods.length, set: fan.set };
}
