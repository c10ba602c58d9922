// The per-pod fan-out of the HTTP checks: find the service's pods (caracal.discovery), ask each one, and turn
// "no pod could be found" into a failing finding, never into a silent pass over zero pods.
import type { ServiceName } from '../../config.ts';
import { podsOf, type Pod, type PodSet } from '../discovery/pods.ts';
import type { CheckContext, CheckOutcome } from '../types.ts';
import { SERVICE_ROW } from './ready-probe.ts';
import { combine, type Finding } from './findings.ts';
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
export async function eachPod<T>(
  ctx: CheckContext,
  service: ServiceName,
  signal: AbortSignal,
  probe: (pod: Pod) => Promise<T>,
): Promise<FanOut<T>> {
  const set = await podsOf(ctx, service, signal);
  if (set.problem !== undefined) return { ok: false, set, finding: discoveryFailed(set) };
  if (set.pods.length === 0) return { ok: false, set, finding: notConfigured(service) };
  const results = await Promise.all(set.pods.map(probe));
  const names = set.pods.map((p) => p.name ?? p.url).join(', ');
  const note: Finding | undefined =
    set.source === 'static'
      ? undefined
      : { status: 'pass', line: `Discovery: ${SERVICE_LABEL[service]}, ${set.pods.length} pod(s) from ${set.from}: ${names}` };
  return { ok: true, set, results, note };
}

/** The runbook's order of the five services ("Restore STS, API, Gateway, Audit, Coordinator"), for evidence lines. */
export const SERVICES_IN_RUNBOOK_ORDER: readonly ServiceName[] = ['sts', 'api', 'gateway', 'audit', 'coordinator'];

/** `eachPod` for several services side by side; the answer keeps their order. */
export function eachServicePods<S extends ServiceName, T>(
  ctx: CheckContext,
  services: readonly S[],
  signal: AbortSignal,
  probe: (service: S, pod: Pod) => Promise<T>,
): Promise<{ service: S; fan: FanOut<T> }[]> {
  return Promise.all(
    services.map(async (service) => ({ service, fan: await eachPod(ctx, service, signal, (pod) => probe(service, pod)) })),
  );
}

/** One service's share of a check over several services: its findings (how its pods were found first), the pods asked, the pods that passed. */
export function tallyService<T>(fan: FanOut<T>, findingOf: (result: T) => Finding): { findings: Finding[]; asked: number; passed: number } {
  if (!fan.ok) return { findings: [fan.finding], asked: 0, passed: 0 };
  const own = fan.results.map(findingOf);
  return { findings: [...(fan.note ? [fan.note] : []), ...own], asked: own.length, passed: own.filter((f) => f.status === 'pass').length };
}

export interface PodFindings {
  /** Everything for the evidence: how the pods were found (when not from the config), then `answers`. */
  findings: Finding[];
  /** What the pods said, or the one finding that says why no pod was asked. */
  answers: Finding[];
  /** How many pods were asked. */
  pods: number;
  set: PodSet;
}

/** The common case: each pod gives one or more findings. */
export async function podFindings(
  ctx: CheckContext,
  service: ServiceName,
  signal: AbortSignal,
  probe: (pod: Pod) => Promise<Finding | Finding[]>,
): Promise<PodFindings> {
  const fan = await eachPod(ctx, service, signal, probe);
  if (!fan.ok) return { findings: [fan.finding], answers: [fan.finding], pods: 0, set: fan.set };
  const answers = fan.results.flat();
  return { findings: [...(fan.note ? [fan.note] : []), ...answers], answers, pods: fan.set.pods.length, set: fan.set };
}

/**
 * The whole outcome of a check that asks every pod of one service: the findings combined, `text` told how many pods
 * were asked, and that count as the `pods.checked` metric.
 */
export async function perPodOutcome(
  ctx: CheckContext,
  service: ServiceName,
  signal: AbortSignal,
  probe: (pod: Pod) => Promise<Finding | Finding[]>,
  text: (pods: number) => { pass: string; lead: string },
): Promise<CheckOutcome> {
  const { findings, pods } = await podFindings(ctx, service, signal, probe);
  return combine(findings, text(pods), { 'pods.checked': pods });
}
