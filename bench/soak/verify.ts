// Reads the state database once the replicas are stopped and runs every check of the soak over it.
import { GATES } from '../../src/domain/gates.ts';
import type { Db } from '../../src/store/db.ts';
import { listEvents } from '../../src/store/events.ts';
import type { StoredEvent } from '../../src/domain/events.ts';
import type { Click } from './users.ts';
import { matchClicks, replayRun } from './verify-events.ts';
import { verifySlack, type SlackFigures } from './verify-slack.ts';
import type { SoakSlack } from './workspace.ts';

export interface Verdict {
  problems: string[];
  lostInCrash: Click[];
  checksInterrupted: Click[];
  slack: SlackFigures;
  events: number;
  /** Runs whose gate was reached (opened, confirmed or overridden), per gate. */
  runsReaching: Record<string, number>;
  overridesApproved: number;
  gatesConfirmed: number;
  /** Holes in the global event id sequence: ids taken by transactions that rolled back (a killed replica's). */
  idGaps: number;
}

export async function verifyAll(
  db: Db,
  slack: SoakSlack,
  clicks: readonly Click[],
  killed: ReadonlySet<string>,
  refusedIn: ReadonlySet<string>,
): Promise<Verdict> {
  const problems: string[] = [];
  const runs = (await db.query<{ id: string; version: number }>('SELECT id, version FROM runs ORDER BY started_at')).rows;
  const gates = (await db.query<{ run_id: string; gate: string; status: string }>('SELECT run_id, gate, status FROM gates')).rows;
  const all: StoredEvent[] = [];
  for (const run of runs) {
    const events = await listEvents(db, run.id);
    all.push(...events);
    const ids = events.map((e) => e.id);
    if (new Set(ids).size !== ids.length || ids.some((id, i) => i > 0 && id <= ids[i - 1]))
      problems.push(`run ${run.id}: event ids repeat or go back`);
    const dbGates = new Map(gates.filter((g) => g.run_id === run.id).map((g) => [g.gate, g.status]));
    problems.push(...replayRun(run.id, events, run.version, dbGates));
  }
  if (runs.length !== 10) problems.push(`${runs.length} runs instead of 10`);
  all.sort((a, b) => a.id - b.id);
  const matched = matchClicks(clicks, all, killed, slack.responses);
  problems.push(...matched.problems);
  const delivered = await verifySlack(db, slack, refusedIn);
  problems.push(...delivered.problems);
  const runsReaching = Object.fromEntries(GATES.map((g) => [g, gates.filter((x) => x.gate === g && x.status !== 'locked').length]));
  const idGaps = all.length === 0 ? 0 : all[all.length - 1].id - all[0].id + 1 - all.length;
  return {
    problems,
    lostInCrash: matched.lostInCrash,
    checksInterrupted: matched.checksInterrupted,
    slack: delivered.figures,
    events: all.length,
    runsReaching,
    overridesApproved: all.filter((e) => e.type === 'override_approved').length,
    gatesConfirmed: all.filter((e) => e.type === 'gate_confirmed').length,
    idGaps,
  };
}
