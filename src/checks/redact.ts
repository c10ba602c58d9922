// Targets can echo what we sent them (an Authorization header in an error page, a URL with a password):
// every text of a check result is scrubbed of the configured secret values before anyone sees it.
import type { CheckResult, MetricValue } from '../domain/check-result.ts';

export function redactResult(result: CheckResult, scrub: (text: string) => string): CheckResult {
  const metrics: Record<string, MetricValue> = {};
  for (const [k, v] of Object.entries(result.metrics)) metrics[scrub(k)] = typeof v === 'string' ? scrub(v) : v;
  return {
    ...result,
    summary: scrub(result.summary),
    evidence: result.evidence.map(scrub),
    remedy: result.remedy === undefined ? undefined : scrub(result.remedy),
    metrics,
    ...(result.error ? { error: { name: result.error.name, message: scrub(result.error.message) } } : {}),
  };
}
