// The run's latest deep audit-chain verification, read back from its `action_finished` event, with the findings'
// acknowledgements (`finding_acknowledged` events naming that event). The events are the truth; nothing is copied.
// Read inside the run's own query (read-run.ts READ_RUN): every decision reads its run, so a separate query for this
// would cost every click a round trip.
import { z } from 'zod';
import type { RunVerification } from '../domain/run.ts';

export const VERIFY_ACTION = 'audit.verify_chain';

/** A subquery of READ_RUN (runs `r`): the latest verification event and its acknowledgements, as one JSON value. */
export const VERIFICATION_JSON = `(
  SELECT json_build_object('id', v.id, 'at', v.at, 'actor', v.actor, 'verification', v.data->'verification',
    'acks', (SELECT coalesce(json_agg(json_build_object('actor', k.actor, 'reason', k.data->>'reason', 'at', k.at) ORDER BY k.id), '[]')
             FROM events k WHERE k.run_id = r.id AND k.type = 'finding_acknowledged' AND k.data->>'verificationEventId' = v.id::text))
  FROM events v
  WHERE v.run_id = r.id AND v.type = 'action_finished' AND v.data->>'action' = '${VERIFY_ACTION}' AND v.data ? 'verification'
  ORDER BY v.id DESC LIMIT 1)`;

const recorded = z.object({
  clean: z.boolean(),
  hmacChecked: z.boolean(),
  rowsChecked: z.number(),
  findings: z.array(z.object({ zoneId: z.string(), rowId: z.string(), chainSeq: z.string(), kinds: z.array(z.string()) })),
});

/** What VERIFICATION_JSON gives (dates as JSON strings). */
export interface VerificationJson {
  id: number | string;
  at: string;
  actor: string;
  verification: unknown;
  acks: { actor: string; reason: string; at: string }[];
}

/** The verification VERIFICATION_JSON found, or none (none recorded, or a record of another shape). */
export function verificationOf(json: VerificationJson | null): RunVerification | undefined {
  const parsed = json ? recorded.safeParse(json.verification) : undefined;
  if (!json || !parsed?.success) return undefined;
  return {
    eventId: Number(json.id),
    at: new Date(json.at),
    actor: json.actor,
    ...parsed.data,
    acks: json.acks.map((a) => ({ userId: a.actor, reason: a.reason, at: new Date(a.at) })),
  };
}
