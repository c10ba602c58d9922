// What a check is and what it needs to run; the result it produces is in domain/check-result.ts.
import type { Gate } from '../domain/gates.ts';
import type { MetricValue, Verdict } from '../domain/check-result.ts';
import type { CaracalConfig, Secrets, Thresholds } from '../config.ts';
import type { HttpTarget } from './targets/http.ts';
import type { PostgresTarget } from './targets/postgres.ts';
import type { RedisTarget } from './targets/redis.ts';
import type { MatrixRow } from '../domain/failure-matrix.ts';
import type { IncidentScope } from './residue/baseline.ts';
import type { PodDiscovery } from './discovery/pods.ts';

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
  /** Finds the pods of STS, Gateway and Audit (caracal.discovery); absent: the configured URLs as they are. */
  discovery?: PodDiscovery;
  baselines: BaselineStore;
  now: () => Date;
  /** How long API and Coordinator /ready may take to answer (config checks.readyAnswerTimeoutMs; §15.1.1). */
  readyAnswerTimeoutMs?: number;
  /**
   * The recovery run (or CLI `--baseline`) the checks are judged for: residue recorded at its start is shown as
   * information, only what is new since fails. Undefined for a plain status report.
   */
  incident?: IncidentScope | undefined;
}

export interface CheckDefinition {
  id: string;
  title: string;
  gates: readonly Gate[];
  /** What it reads, for the help text and the Details thread. */
  reads: string;
  run(ctx: CheckContext, signal: AbortSignal): Promise<CheckOutcome>;
}
