// The pods a break-glass step names, per service: those discovered behind the configured Service URL (the same
// caracal.discovery the Gateway reload and the checks use), because a Service URL reaches one random pod per request
// and each pod holds its own files (caracal-ops.md §15.2.1). When discovery is off or fails, the configured URLs are
// listed instead, and the lines say so: a person must not take one Service URL for "the" pod.
import { podsOf } from '../checks/discovery/pods.ts';
import { SERVICE_LABEL } from '../checks/http/metrics-json.ts';
import { displayUrl } from '../checks/targets/http.ts';
import type { CheckContext } from '../checks/types.ts';
import type { DiscoveredService } from '../config.ts';

export interface Candidates {
  /** One line saying where the list comes from, then one line per candidate. */
  lines: string[];
  /** The configured URLs stand in for the pods (discovery off or failed). */
  fallback: boolean;
  count: number;
}

export async function podCandidates(ctx: CheckContext, service: DiscoveredService, signal: AbortSignal): Promise<Candidates> {
  const name = SERVICE_LABEL[service];
  const configured = ctx.caracal.services[service];
  const set = await podsOf(ctx, service, signal);
  if (set.problem === undefined && set.source !== 'static' && set.pods.length > 0) {
    return {
      lines: [`${name}: ${set.pods.length} pod(s) discovered from ${set.from}:`, ...set.pods.map((p) => `candidate: ${p.label}`)],
      fallback: false,
      count: set.pods.length,
    };
  }
  const why =
    set.problem !== undefined
      ? `pod discovery failed (${set.from}: ${set.problem})`
      : `caracal.discovery.${service} is static (discovery off)`;
  if (configured.length === 0)
    return { lines: [`${name}: ${why}, and caracal.services.${service} is empty: no candidate to list.`], fallback: true, count: 0 };
  return {
    lines: [
      `${name}: ${why}, so these are the configured URLs, not pods: a Service URL hides every pod behind it; list them with kubectl -n <namespace> get pods.`,
      ...configured.map((u) => `candidate (configured URL): ${name} ${displayUrl(u)}`),
    ],
    fallback: true,
    count: configured.length,
  };
}
