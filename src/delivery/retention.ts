// Retention of what only served delivery: status reports and delivered (or failed) Slack deliveries older than
// the configured days are deleted in small batches (the events, the evidence, are kept).
import type { Logger } from '../logger.ts';
import type { Db } from '../store/db.ts';
import { pruneDeliveries } from '../store/deliveries.ts';
import { pruneReports } from '../store/reports.ts';

const BATCH = 5000;

/** One sweep: batches until nothing older is left. Returns how many rows went. */
export async function sweep(db: Db, days: number): Promise<{ deliveries: number; reports: number }> {
  let deliveries = 0;
  let reports = 0;
  for (let n = BATCH; n === BATCH; deliveries += n) n = await pruneDeliveries(db, days, BATCH);
  for (let n = BATCH; n === BATCH; reports += n) n = await pruneReports(db, days, BATCH);
  return { deliveries, reports };
}

export function createRetention(deps: { db: Db; days: number; logger: Logger; everyMs?: number }) {
  let timer: NodeJS.Timeout | undefined;
  const run = () =>
    sweep(deps.db, deps.days).then(
      (n) => {
        if (n.deliveries + n.reports > 0) deps.logger.info({ ...n, days: deps.days }, 'retention: old deliveries and reports deleted');
      },
      (err: unknown) => deps.logger.warn({ err }, 'retention sweep failed; retrying at the next one'),
    );
  return {
    start(): void {
      timer ??= setInterval(() => void run(), deps.everyMs ?? 3_600_000);
      timer.unref();
      void run();
    },
    stop(): void {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
