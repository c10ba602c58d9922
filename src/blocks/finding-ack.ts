// The deep audit-chain verification on the dashboard (evidence for Resume), and the modal in which an approver
// acknowledges its findings with a written reason (issue 12: two approvers before Resume).
import type { Button, KnownBlock, ModalView } from '@slack/types';
import { findingAckers, FINDING_ACKS_REQUIRED, type RunState, type RunVerification } from '../domain/run.ts';
import { ACTION, BLOCK, ELEMENT, VIEW } from './ids.ts';
import { escapeMrkdwn, slackDate, truncate } from './mrkdwn.ts';
import { encodePayload, findingAckPayload, type FindingAckPayload } from './payloads.ts';
import { userMention } from './users.ts';

const MAX_FINDINGS_SHOWN = 5;
export const MAX_ACK_REASON = 2000;

/** One line per fact: when, clean or not (with or without the HMAC), each zone's first broken row, who acknowledged. */
export function verificationLines(v: RunVerification): string[] {
  const when = `${slackDate(v.at.toISOString(), '{ago}')} by ${userMention(v.actor)}`;
  const key = v.hmacChecked ? 'with the HMAC key' : 'without the HMAC key (chain_hmac not checked)';
  if (v.clean) return [`:shield: Deep audit-chain verification ${when}: clean, ${v.rowsChecked} rows, ${key}.`];
  const lines = [
    `:rotating_light: Deep audit-chain verification ${when}: ${v.findings.length} broken zone(s) in ${v.rowsChecked} rows, ${key}.`,
  ];
  for (const f of v.findings.slice(0, MAX_FINDINGS_SHOWN)) {
    lines.push(
      `• zone \`${escapeMrkdwn(f.zoneId)}\`, row id=\`${escapeMrkdwn(f.rowId)}\` (chain_seq ${escapeMrkdwn(f.chainSeq)}): ${escapeMrkdwn(f.kinds.join(' + '))}`,
    );
  }
  if (v.findings.length > MAX_FINDINGS_SHOWN)
    lines.push(`• … and ${v.findings.length - MAX_FINDINGS_SHOWN} more zones (see the incident log)`);
  const ackers = findingAckers(v);
  lines.push(
    `Acknowledged by ${ackers.length} of ${FINDING_ACKS_REQUIRED} approvers${ackers.length ? ` (${ackers.map(userMention).join(', ')})` : ''}; Resume waits for ${FINDING_ACKS_REQUIRED}.`,
  );
  return lines;
}

/** The Resume button, only while the run's latest verification has findings. */
export function findingAckButton(run: RunState): Button | undefined {
  const v = run.verification;
  if (!v || v.clean) return undefined;
  return {
    type: 'button',
    action_id: ACTION.findingAcknowledge,
    style: 'danger',
    text: { type: 'plain_text', text: 'Acknowledge finding…' },
    value: encodePayload(findingAckPayload, { v: 1, runId: run.id, verificationEventId: v.eventId }),
  };
}

export function findingAckModal(payload: FindingAckPayload, finding: string, sandbox: boolean): ModalView {
  return {
    type: 'modal',
    callback_id: VIEW.findingAckModal,
    private_metadata: encodePayload(findingAckPayload, payload),
    title: { type: 'plain_text', text: sandbox ? 'Acknowledge (SANDBOX)' : 'Acknowledge finding' },
    submit: { type: 'plain_text', text: 'Acknowledge' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `The deep audit-chain verification found: ${escapeMrkdwn(truncate(finding, 1500))}\nResume needs ${FINDING_ACKS_REQUIRED} approvers to acknowledge it; your reason goes into the incident log.`,
        },
      },
      {
        type: 'input',
        block_id: BLOCK.findingAckReason,
        label: { type: 'plain_text', text: 'Why is it safe to resume with this finding?' },
        element: {
          type: 'plain_text_input',
          action_id: ELEMENT.findingAckReasonInput,
          multiline: true,
          min_length: 10,
          max_length: MAX_ACK_REASON,
        },
      },
    ],
  };
}

export function verificationBlock(v: RunVerification): KnownBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(verificationLines(v).join('\n'), 2900) }] };
}
