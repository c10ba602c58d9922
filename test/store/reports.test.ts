// A burst of `/caracal status` in one channel is one report (issue 18): the first request saves its report, the
// others (on any replica, at the same instant) find it, unless it checks other things or another environment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryReportStore } from '../../src/reports/report-store.ts';
import type { ReportStore, StoredReport } from '../../src/domain/report.ts';
import type { Db } from '../../src/store/db.ts';
import { dbReportStore } from '../../src/store/reports.ts';
import { testStateDb } from '../helpers/state.ts';

const ALL = [
  { id: 'postgres.reachable', title: 'Postgres' },
  { id: 'redis.reachable', title: 'Redis' },
];
let n = 0;
const report = (channelId: string, opts: { environment?: string; planned?: typeof ALL } = {}): StoredReport => ({
  channelId,
  complete: false,
  view: {
    reportId: `r${++n}`,
    requestedBy: `U${n}`,
    startedAt: new Date().toISOString(),
    planned: opts.planned ?? ALL,
    results: [],
    sandbox: false,
    ...(opts.environment ? { environment: opts.environment } : {}),
  },
});

function behavesAsOneReportPerBurst(name: string, store: () => ReportStore) {
  describe(name, () => {
    it('of 12 requests at once, one saves and the others get its report', async () => {
      const s = store();
      const outcomes = await Promise.all(Array.from({ length: 12 }, () => s.saveUnlessRecent!(report('C-BURST'), 10_000)));
      const saved = outcomes.filter((o) => o === undefined);
      expect(saved).toHaveLength(1);
      const joined = new Set(outcomes.filter((o) => o !== undefined).map((o) => o.view.reportId));
      expect(joined.size).toBe(1);
      expect(await s.get([...joined][0])).toBeDefined();
    });

    it('never joins a report of other checks, of another environment, or of another channel', async () => {
      const s = store();
      expect(await s.saveUnlessRecent!(report('C-MIX'), 10_000)).toBeUndefined();
      expect(await s.saveUnlessRecent!(report('C-MIX', { planned: [ALL[0]] }), 10_000)).toBeUndefined();
      expect(await s.saveUnlessRecent!(report('C-MIX', { environment: 'staging' }), 10_000)).toBeUndefined();
      expect(await s.saveUnlessRecent!(report('C-MIX-2'), 10_000)).toBeUndefined();
      expect(await s.saveUnlessRecent!(report('C-MIX', { environment: 'staging' }), 10_000)).toBeDefined();
    });
  });
}

describe('saveUnlessRecent', () => {
  let state: { db: Db; drop(): Promise<void> };
  beforeAll(async () => {
    state = await testStateDb();
  });
  afterAll(async () => {
    await state.drop();
  });

  behavesAsOneReportPerBurst('in the state database (every replica)', () => dbReportStore(state.db));
  behavesAsOneReportPerBurst('in memory', () => memoryReportStore());

  it('a window of 0 ms joins nothing that came before', async () => {
    const s = dbReportStore(state.db);
    expect(await s.saveUnlessRecent!(report('C-ZERO'), 0)).toBeUndefined();
    await state.db.query(`UPDATE reports SET created_at = created_at - interval '1 second' WHERE channel_id = 'C-ZERO'`);
    expect(await s.saveUnlessRecent!(report('C-ZERO'), 0)).toBeUndefined();
  });
});
