// What both outbox checks conclude from what they read: dead rows fail first (they are never retried), then a
// pending row older than the limit (the outbox is not draining), else it drains. Each check brings its own words.
import type { MetricValue } from '../../domain/check-result.ts';
import type { MatrixRow } from '../../domain/failure-matrix.ts';
import type { CheckOutcome } from '../types.ts';

export interface OutboxCounts {
  pending: number;
  dead: number;
  oldestPendingSeconds: number;
}

export interface OutboxReading {
  /** How summaries name the outbox: `caracal_outbox`, `event_outbox`. */
  table: string;
  counts: OutboxCounts;
  limitSeconds: number;
  metrics: Record<string, MetricValue>;
  /** The counts line; the dead rows shown are added after it. */
  evidence: string[];
  /** One line per dead row read (the oldest few), when there are dead rows. */
  deadLines: string[];
  /** What the dead rows mean, after "N dead rows in <table>: ". */
  deadMeaning: string;
  deadRemedy: string;
  notDrainingRemedy: string;
  matrix: MatrixRow[];
}

export function outboxVerdict(r: OutboxReading): CheckOutcome {
  const { pending, dead, oldestPendingSeconds: oldest } = r.counts;
  if (dead > 0) {
    const hidden = dead - r.deadLines.length;
    return {
      status: 'fail',
      summary: `${dead} dead row${dead > 1 ? 's' : ''} in ${r.table}: ${r.deadMeaning}`,
      metrics: r.metrics,
      evidence: [...r.evidence, ...r.deadLines, ...(hidden > 0 ? [`(${hidden} more dead rows not shown)`] : [])],
      remedy: r.deadRemedy,
      matrix: r.matrix,
      findings: ['dead_rows'],
    };
  }
  if (oldest >= r.limitSeconds) {
    return {
      status: 'fail',
      summary: `${r.table} is not draining: the oldest of ${pending} pending rows is ${oldest} s old (limit ${r.limitSeconds} s).`,
      metrics: r.metrics,
      evidence: r.evidence,
      remedy: r.notDrainingRemedy,
      matrix: r.matrix,
      findings: ['not_draining'],
    };
  }
  return {
    status: 'pass',
    summary:
      pending === 0 ? `${r.table} is drained, with no dead rows.` : `${r.table} is draining: ${pending} pending, oldest ${oldest} s.`,
    metrics: r.metrics,
    evidence: r.evidence,
  };
}
