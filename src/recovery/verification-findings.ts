// The deep audit-chain verification's findings on the Resume gate: Resume waits until enough approvers have
// acknowledged them, each with a written reason.
import type { Gate } from '../domain/gates.ts';
import { FINDING_ACKS_REQUIRED, findingAckers, type RunState, type RunVerification } from '../domain/run.ts';
import { conflict, denied, ok, type Actor, type Decision } from './gate-decision.ts';
import type { Command } from './machine.ts';

function findingText(v: RunVerification): string {
  const first = v.findings[0];
  const where = first
    ? `zone ${first.zoneId}, row id=${first.rowId} (chain_seq ${first.chainSeq}), ${first.kinds.join(' + ')}`
    : 'no row named';
  return `${v.findings.length} broken zone(s), first ${where}`;
}

/** Why Resume must wait for acknowledgements of the deep verification's findings, or undefined. */
export function unacknowledgedFindings(run: RunState): string | undefined {
  const v = run.verification;
  if (!v || v.clean) return undefined;
  const ackers = findingAckers(v);
  if (ackers.length >= FINDING_ACKS_REQUIRED) return undefined;
  return (
    `The deep audit-chain verification at ${v.at.toISOString().slice(11, 16)} UTC found ${findingText(v)}. ` +
    `Resume needs ${FINDING_ACKS_REQUIRED} approvers to acknowledge it with a written reason ("Acknowledge finding…" on the dashboard); ` +
    `${ackers.length} of ${FINDING_ACKS_REQUIRED} so far.`
  );
}

export function acknowledgeFinding(
  run: RunState,
  gate: Gate,
  actor: Actor,
  command: Extract<Command, { type: 'acknowledge_finding' }>,
  now: Date,
): Decision {
  if (gate !== 'resume') return denied('Deep verification findings are acknowledged on the Resume gate.');
  const v = run.verification;
  if (!v || v.clean || v.eventId !== command.verificationEventId)
    return conflict('That verification is no longer the latest one with findings: look at the dashboard again.');
  const reason = command.reason.trim();
  if (reason.length === 0) return denied('An acknowledgement needs a written reason.');
  if (findingAckers(v).includes(actor.userId)) return denied('You already acknowledged this finding; it needs another approver.');
  const acks = [...v.acks, { userId: actor.userId, reason, at: now }];
  return ok({ ...run, verification: { ...v, acks } }, [
    {
      type: 'finding_acknowledged',
      gate,
      actor: actor.userId,
      data: {
        verificationEventId: String(v.eventId),
        finding: findingText(v),
        reason,
        acks: findingAckers({ ...v, acks }).length,
        required: FINDING_ACKS_REQUIRED,
      },
    },
  ]);
}
