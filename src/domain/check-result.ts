// The result every check produces, as stored, shown and judged by the gates.
import type { Gate } from './gates.ts';
import type { MatrixRow } from './failure-matrix.ts';

/** Ordered from best to worst; `error` means the checker itself broke, and counts as a failure. */
export const CHECK_STATUSES = ['pass', 'warn', 'fail', 'error'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];
export type Verdict = Exclude<CheckStatus, 'error'>;


export type MetricValue = number | string | boolean | null;

export interface CheckResult {
  id: string;
  title: string;
  gates: readonly Gate[];
  status: CheckStatus;
  summary: string;
  metrics: Record<string, MetricValue>;
  evidence: string[];
  remedy: string | undefined;
  matrix: MatrixRow[];
  /** Kinds of what did not pass; absent when the check names none. */
  findings?: string[];
  durationMs: number;
  finishedAt: string;
  /** Only for status `error`: what broke in the checker. */
  error?: { name: string; message: string };
}

const RANK: Record<Verdict, number> = { pass: 0, warn: 1, fail: 2 };

/** The overall verdict: the worst status, where a checker error counts as a failure. */
export function worstStatus(statuses: Iterable<CheckStatus>): Verdict {
  let worst: Verdict = 'pass';
  for (const s of statuses) {
    const v: Verdict = s === 'error' ? 'fail' : s;
    if (RANK[v] > RANK[worst]) worst = v;
  }
  return worst;
}
