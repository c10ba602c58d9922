// gateway.sts: the Gateway's side of the STS exchange and of stream signing (caracal-ops.md §7.3, §15.2.11).
// sts_circuit_open is a gauge (open after 3 failed exchanges, for 10 s); sts_exchange_errors and
// revocation_invalid_signatures are counters, judged by growth. Audit's hmac_failures_total (producer signatures
// that fail AUDIT_HMAC_KEY) is read here too: both are "HMAC configuration" in the runbook's STS row.
import { z } from 'zod';
import type { CheckContext, CheckDefinition } from '../types.ts';
import { describeGrowth, growth } from './counter-growth.ts';
import { combine, type Finding } from './findings.ts';
import { count, podLabel, readMetricsJson } from './metrics-json.ts';
import { podFindings } from './per-pod.ts';

const gatewayMetrics = z.object({ sts_circuit_open: count, sts_exchange_errors: count, revocation_invalid_signatures: count });
const auditMetrics = z.object({ hmac_failures_total: count });

const EXCHANGE_REMEDY =
  'The Gateway cannot exchange tokens with STS, so protected traffic fails before dispatch: restore STS readiness ' +
  '(services.ready), the network path to STS_URL, and check GATEWAY_STS_HMAC_KEY is identical on Gateway, STS and API.';
const STREAM_HMAC_REMEDY =
  'Revocation messages fail their signature check on this Gateway, so those revocations are not applied from the ' +
  'stream: STREAMS_HMAC_KEY differs between the producers (API, Coordinator) and the Gateway. Make it identical, ' +
  'then force a revocation reload on every Gateway pod.';
const AUDIT_HMAC_REMEDY =
  'Audit rejects audit events whose producer signature does not verify (they go to the DLQ as hmac_verify_failed): ' +
  'AUDIT_HMAC_KEY differs between STS, Gateway and Audit. Make it identical; the rejected events stay in the DLQ as evidence.';

function judged(label: string, name: string, g: Awaited<ReturnType<typeof growth>>, remedy: string): Finding | undefined {
  if (g.kind === 'zero' || g.kind === 'steady') return undefined;
  return {
    status: g.kind === 'grew' ? 'fail' : 'warn',
    line: `${label}: ${describeGrowth(name, g)}`,
    remedy: `${label}: ${remedy}`,
    matrix: ['sts'],
  };
}

async function gatewayPod(ctx: CheckContext, base: string, signal: AbortSignal, label = podLabel('gateway', base)): Promise<Finding[]> {
  const read = await readMetricsJson(ctx, base, gatewayMetrics, signal);
  if (!read.ok) return [{ status: 'fail', line: `${label}: STS exchange state unknown: ${read.problem}`, matrix: ['gateway'] }];
  const m = read.value;
  const [errors, sigs] = await Promise.all([
    growth(ctx, `gateway.sts.exchange_errors:${base}`, m.sts_exchange_errors),
    growth(ctx, `gateway.sts.invalid_signatures:${base}`, m.revocation_invalid_signatures),
  ]);
  const findings: Finding[] = [];
  if (m.sts_circuit_open > 0) {
    findings.push({
      status: 'fail',
      line: `${label}: STS circuit open (sts_circuit_open=${m.sts_circuit_open})`,
      remedy: `${label}: ${EXCHANGE_REMEDY}`,
      matrix: ['gateway', 'sts'],
    });
  }
  const bad = [
    judged(label, 'sts_exchange_errors', errors, EXCHANGE_REMEDY),
    judged(label, 'revocation_invalid_signatures', sigs, STREAM_HMAC_REMEDY),
  ];
  findings.push(...bad.filter((f): f is Finding => f !== undefined));
  if (findings.length === 0) {
    findings.push({
      status: 'pass',
      line: `${label}: circuit closed, ${describeGrowth('sts_exchange_errors', errors)}, ${describeGrowth('revocation_invalid_signatures', sigs)}`,
    });
  }
  return findings;
}

async function auditPod(ctx: CheckContext, base: string, signal: AbortSignal, label = podLabel('audit', base)): Promise<Finding> {
  const read = await readMetricsJson(ctx, base, auditMetrics, signal);
  if (!read.ok) return { status: 'fail', line: `${label}: producer HMAC failures unknown: ${read.problem}`, matrix: ['audit'] };
  const g = await growth(ctx, `audit.hmac_failures:${base}`, read.value.hmac_failures_total);
  return (
    judged(label, 'hmac_failures_total', g, AUDIT_HMAC_REMEDY) ?? {
      status: 'pass',
      line: `${label}: ${describeGrowth('hmac_failures_total', g)}`,
    }
  );
}

export const gatewaySts: CheckDefinition = {
  id: 'gateway.sts',
  title: 'Gateway STS exchange and HMAC configuration',
  gates: ['services'],
  reads:
    'every Gateway pod /metrics.json sts_circuit_open, sts_exchange_errors, revocation_invalid_signatures; every Audit pod hmac_failures_total',
  async run(ctx, signal) {
    const [g, a] = await Promise.all([
      podFindings(ctx, 'gateway', signal, (pod) => gatewayPod(ctx, pod.url, signal, pod.label)),
      podFindings(ctx, 'audit', signal, (pod) => auditPod(ctx, pod.url, signal, pod.label)),
    ]);
    return combine(
      [...g.findings, ...a.findings],
      {
        pass: `STS circuits closed and no new exchange or HMAC failures on ${g.pods} Gateway and ${a.pods} Audit pods.`,
        lead: 'STS exchange or HMAC configuration',
      },
      { 'gateway.pods': g.pods, 'audit.pods': a.pods },
    );
  },
};
