// audit.replay: audit events STS and Gateway could not hand to Redis sit in replay files on each pod's volume,
// and drain ONLY when that pod's process starts (caracal-ops.md §5.1, §13.4). Dropped events are lost for good.
import { z } from 'zod';
import type { CheckContext, CheckDefinition } from '../types.ts';
import { combine, type Finding } from './findings.ts';
import { count, podLabel, readMetricsJson, seconds } from './metrics-json.ts';
import { eachServicePods } from './per-pod.ts';

interface Backlog {
  files: number;
  oldest: number;
  dropped: number;
}

// STS nests the replay backlog under `sts` with `audit_dropped` at the top; the Gateway is flat (§14.1).
const stsMetrics = z
  .object({ sts: z.object({ audit_replay_files: count, audit_replay_oldest_age_seconds: seconds }), audit_dropped: count })
  .transform((m): Backlog => ({
    files: m.sts.audit_replay_files,
    oldest: m.sts.audit_replay_oldest_age_seconds,
    dropped: m.audit_dropped,
  }));
const gatewayMetrics = z
  .object({ audit_replay_files: count, audit_replay_oldest_age_seconds: seconds, audit_dropped: count })
  .transform((m): Backlog => ({ files: m.audit_replay_files, oldest: m.audit_replay_oldest_age_seconds, dropped: m.audit_dropped }));

const SCHEMA = { sts: stsMetrics, gateway: gatewayMetrics } as const;
type Producer = keyof typeof SCHEMA;

interface PodResult {
  findings: Finding[];
  backlog?: Backlog;
}

async function probe(
  ctx: CheckContext,
  service: Producer,
  base: string,
  signal: AbortSignal,
  label = podLabel(service, base),
): Promise<PodResult> {
  const read = await readMetricsJson(ctx, base, SCHEMA[service], signal);
  if (!read.ok)
    return {
      findings: [{ status: 'fail', kind: 'unknown', line: `${label}: replay backlog unknown: ${read.problem}`, matrix: ['audit'] }],
    };
  const { files, oldest, dropped } = read.value;
  const findings: Finding[] = [];
  if (files > 0) {
    findings.push({
      status: 'fail',
      kind: 'replay_files',
      line: `${label}: ${files} audit replay file(s), oldest ${Math.round(oldest)} s`,
      remedy:
        `${label}: once Redis and Audit are healthy, restart this pod: replay files drain only at process start, and ` +
        'the StatefulSet volume keeps them across the restart. Never delete the volume or the files.',
      matrix: ['audit'],
    });
  }
  if (dropped > 0) {
    findings.push({
      status: 'fail',
      kind: 'dropped',
      line: `${label}: ${dropped} audit event(s) dropped since the process started: evidence lost (latched)`,
      remedy:
        `${label}: the lost events cannot be recovered. Preserve the replay volume (/var/lib/caracal) and logs, ` +
        'record the evidence gap in the incident, then replace the pod to clear the latch.',
      matrix: ['auditLoss'],
    });
  }
  if (findings.length === 0) findings.push({ status: 'pass', line: `${label}: no replay files, nothing dropped` });
  return { findings, backlog: read.value };
}

export const auditReplay: CheckDefinition = {
  id: 'audit.replay',
  title: 'Audit replay backlog (STS, Gateway)',
  gates: ['evidence'],
  reads: 'STS and Gateway /metrics.json: audit replay files, oldest replay age, dropped audit events',
  async run(ctx, signal) {
    const producers: readonly Producer[] = ['sts', 'gateway'];
    const fans = await eachServicePods(ctx, producers, signal, (service, pod) => probe(ctx, service, pod.url, signal, pod.label));
    const results: PodResult[] = fans.flatMap(({ fan }) =>
      fan.ok ? [...(fan.note ? [{ findings: [fan.note] }] : []), ...fan.results] : [{ findings: [fan.finding] }],
    );
    const findings = results.flatMap((r) => r.findings);
    const totals: Backlog = { files: 0, oldest: 0, dropped: 0 };
    for (const { backlog } of results) {
      if (!backlog) continue;
      totals.files += backlog.files;
      totals.dropped += backlog.dropped;
      totals.oldest = Math.max(totals.oldest, backlog.oldest);
    }
    return combine(
      findings,
      {
        pass: 'No STS or Gateway pod holds audit replay files, and none has dropped an audit event.',
        lead: 'Audit evidence is not all in',
      },
      { 'replay.files': totals.files, 'replay.oldestSeconds': Math.round(totals.oldest), 'audit.dropped': totals.dropped },
    );
  },
};
