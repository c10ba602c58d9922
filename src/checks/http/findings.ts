// Multi-pod checks judge each pod (or zone, or policy set) on its own and then combine the findings,
// so one pod that is down never hides what the others said.
import type { MatrixRow } from '../../domain/failure-matrix.ts';
import type { CheckOutcome } from '../types.ts';
import { worstStatus, type MetricValue, type Verdict } from '../../domain/check-result.ts';

export interface Finding {
  status: Verdict;
  /** One plain-text evidence line: which pod or item, and what it said. */
  line: string;
  remedy?: string;
  matrix?: readonly MatrixRow[];
  /** What kind of problem this is (e.g. a /ready `error` value): what the remediation placement keys on. */
  kind?: string;
}

const SUMMARY_MAX = 600;

export function worst(findings: readonly Finding[]): Verdict {
  return worstStatus(findings.map((f) => f.status));
}

function unique<T>(items: Iterable<T>): T[] {
  return [...new Set(items)];
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * One outcome from many findings: the worst status; every line as evidence (passes too, so a reader sees what
 * was covered); remedies and matrix rows only from the findings that did not pass, failures first.
 */
export function combine(
  findings: readonly Finding[],
  text: { pass: string; lead: string },
  metrics: Record<string, MetricValue> = {},
): CheckOutcome {
  const status = worst(findings);
  const bad = [...findings.filter((f) => f.status === 'fail'), ...findings.filter((f) => f.status === 'warn')];
  const remedies = unique(bad.flatMap((f) => (f.remedy ? [f.remedy] : [])));
  const kinds = unique(bad.flatMap((f) => (f.kind ? [f.kind] : [])));
  return {
    status,
    summary: status === 'pass' ? text.pass : clip(`${text.lead}: ${bad.map((f) => f.line).join('; ')}`, SUMMARY_MAX),
    metrics,
    evidence: findings.map((f) => f.line),
    ...(remedies.length > 0 ? { remedy: remedies.join(' ') } : {}),
    matrix: unique(bad.flatMap((f) => f.matrix ?? [])),
    ...(kinds.length > 0 ? { findings: kinds } : {}),
  };
}
