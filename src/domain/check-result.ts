// The result every check produces, as stored, shown and judged by the gates.
import { z } from 'zod';
import { MATRIX_ROWS } from './failure-matrix.ts';
import { GATES } from './gates.ts';

/** Ordered from best to worst; `error` means the checker itself broke, and counts as a failure. */
export const CHECK_STATUSES = ['pass', 'warn', 'fail', 'error'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];
export type Verdict = Exclude<CheckStatus, 'error'>;

export type MetricValue = number | string | boolean | null;

/** A check's result as reports and gates store it (JSON): read back through this schema, never cast. */
export const checkResultSchema = z.object({
  id: z.string(),
  title: z.string(),
  gates: z.array(z.enum(GATES)).readonly(),
  status: z.enum(CHECK_STATUSES),
  summary: z.string(),
  metrics: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
  evidence: z.array(z.string()),
  remedy: z.string().optional(),
  matrix: z.array(z.enum(MATRIX_ROWS)),
  /** Kinds of what did not pass; absent when the check names none. */
  findings: z.array(z.string()).optional(),
  durationMs: z.number(),
  finishedAt: z.string(),
  /** Only for status `error`: what broke in the checker. */
  error: z.object({ name: z.string(), message: z.string() }).optional(),
});
export type CheckResult = z.infer<typeof checkResultSchema>;

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
