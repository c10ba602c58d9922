// The one result shape every check produces, and what a check needs to run.
import type { CaracalConfig, Secrets, Thresholds } from '../config.ts';
import type { HttpTarget } from './targets/http.ts';
import type { PostgresTarget } from './targets/postgres.ts';
import type { RedisTarget } from './targets/redis.ts';
import type { MatrixRow } from './failure-matrix.ts';

/** Ordered from best to worst; `error` means the checker itself broke, and counts as a failure. */
export const CHECK_STATUSES = ['pass', 'warn', 'fail', 'error'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];
export type Verdict = Exclude<CheckStatus, 'error'>;

export const GATES = ['freeze', 'storage', 'services', 'evidence', 'safety', 'resume'] as const;
export type Gate = (typeof GATES)[number];

export type MetricValue = number | string | boolean | null;

/** What a check's `run` returns: "target down" is a value (`fail`), never an exception. */
export interface CheckOutcome {
  status: Verdict;
  summary: string;
  metrics?: Record<string, MetricValue>;
  /** Plain-text lines (escaped when rendered): what was read, from where. */
  evidence?: string[];
  /** What to do next, in plain text. */
  remedy?: string;
  /** Failure-matrix rows this outcome implicates (user impact and runbook recovery). */
  matrix?: MatrixRow[];
  /** Kinds of what did not pass (e.g. `outbox_dead`, `dead_rows`): what src/remediation/placement.ts keys on. */
  findings?: string[];
}

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

/** Remembered values between runs (e.g. tamper counters), since Caracal's counters are cumulative. */
export interface BaselineStore {
  get(key: string): Promise<{ value: number; at: Date } | undefined>;
  set(key: string, value: number, at: Date): Promise<void>;
}

export interface CheckContext {
  caracal: CaracalConfig;
  thresholds: Thresholds;
  secrets: Secrets;
  /** Undefined when Caracal's Postgres is not configured. */
  postgres: PostgresTarget | undefined;
  /** Undefined when Caracal's Redis is not configured. */
  redis: RedisTarget | undefined;
  http: HttpTarget;
  baselines: BaselineStore;
  now: () => Date;
}

export interface CheckDefinition {
  id: string;
  title: string;
  gates: readonly Gate[];
  /** What it reads, for the help text and the Details thread. */
  reads: string;
  run(ctx: CheckContext, signal: AbortSignal): Promise<CheckOutcome>;
}
