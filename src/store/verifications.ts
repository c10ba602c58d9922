// The run's latest deep audit-chain verification, read back from its `action_finished` event, with the findings'
// acknowledgements (`finding_acknowledged` events naming that event). The events are the truth; nothing is copied.
import { z } from 'zod';
import type { RunVerification } from '../domain/run.ts';
import type { Queryable } from './db.ts';

export const VERIFY_ACTION = 'audit.verify_chain';

const recorded = z.object({
  clean: z.boolean(),
  hmacChecked: z.boolean(),
  rowsChecked: z.number(),
  findings: z.array(z.object({ zoneId: z.string(), rowId: z.string(), chainSeq: z.string(), kinds: z.array(z.string()) })),
});

export async function loadVerification(q: Queryable, runId: string): Promise<RunVerification | undefined> {
  const [row] = (
    await q.query<{ id: string; at: Date; actor: string; verification: unknown }>(
      `SELECT id, at, actor, data->'verification' AS verification FROM events
     WHERE run_id = $1 AND type = 'action_finished' AND data->>'action' = $2 AND data ? 'verification'
     ORDER BY id DESC LIMIT 1`,
      [runId, VERIFY_ACTION],
    )
  ).rows;
  const parsed = row ? recorded.safeParse(row.verification) : undefined;
  if (!row || !parsed?.success) return undefined;
  const acks = (
    await q.query<{ actor: string; reason: string; at: Date }>(
      `SELECT actor, data->>'reason' AS reason, at FROM events
     WHERE run_id = $1 AND type = 'finding_acknowledged' AND data->>'verificationEventId' = $2 ORDER BY id`,
      [runId, row.id],
    )
  ).rows;
  return {
    eventId: Number(row.id),
    at: new Date(row.at),
    actor: row.actor,
    ...parsed.data,
    acks: acks.map((a) => ({ userId: a.actor, reason: a.reason, at: new Date(a.at) })),
  };
}
