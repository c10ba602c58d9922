// The run dashboard's alert section: the Caracal alerts firing in the channel, and on an open Resume gate the
// warning about critical ones with the button each approver uses to acknowledge them while confirming.
import type { KnownBlock } from '@slack/types';
import { caracalAlert } from '../domain/alert-catalog.ts';
import { GATE_TITLES } from '../domain/gates.ts';
import type { RunState } from '../domain/run.ts';
import { ACTION } from './ids.ts';
import { sections } from './limits.ts';
import { escapeMrkdwn, slackDate } from './mrkdwn.ts';
import { encodePayload, resumeAckPayload } from './payloads.ts';

export interface FiringAlert {
  name: string;
  severity: string | undefined;
  startsAt: Date;
}

const MAX_LISTED = 15;

/** Critical Caracal alert names firing, without repeats, in the order given. */
export function criticalNames(alerts: readonly FiringAlert[]): string[] {
  return [...new Set(alerts.filter((a) => caracalAlert(a.name)?.severity === 'critical').map((a) => a.name))];
}

export function runAlertBlocks(run: RunState, alerts: readonly FiringAlert[]): KnownBlock[] {
  const caracal = alerts.filter((a) => caracalAlert(a.name));
  if (caracal.length === 0 || run.status !== 'active') return [];
  const lines = [`:rotating_light: *Firing Caracal alerts* (${caracal.length})`];
  for (const a of caracal.slice(0, MAX_LISTED)) {
    const row = caracalAlert(a.name)!;
    lines.push(
      `• *${escapeMrkdwn(a.name)}* · ${row.severity} · since ${slackDate(a.startsAt.toISOString(), '{time}')} · gate: ${GATE_TITLES[row.gate]}`,
    );
  }
  if (caracal.length > MAX_LISTED) lines.push(`_…and ${caracal.length - MAX_LISTED} more._`);
  const blocks: KnownBlock[] = [...sections(lines.join('\n'), `run_alerts_v${run.version}`)];
  const critical = criticalNames(caracal);
  const resume = run.gates.find((g) => g.gate === 'resume');
  if (critical.length > 0 && resume?.status === 'open') {
    blocks.push(
      ...sections(
        `:warning: *Resume while critical alerts fire:* ${critical.map(escapeMrkdwn).join(', ')}. Each approver must acknowledge them to confirm Resume.`,
      ),
    );
    blocks.push({
      type: 'actions',
      block_id: `resume_ack_v${run.version}`,
      elements: [
        {
          type: 'button',
          action_id: ACTION.resumeAcknowledge,
          style: 'danger',
          text: { type: 'plain_text', text: 'Acknowledge alerts and confirm Resume' },
          value: encodePayload(resumeAckPayload, { v: 1, runId: run.id, alerts: critical.slice(0, 21) }),
          confirm: {
            title: { type: 'plain_text', text: 'Resume with alerts firing?' },
            text: {
              type: 'plain_text',
              text: `You acknowledge ${critical.length} critical alert(s) still firing. This is logged with your name.`,
            },
            confirm: { type: 'plain_text', text: 'Acknowledge and confirm' },
            deny: { type: 'plain_text', text: 'Cancel' },
          },
        },
      ],
    });
  }
  return blocks;
}
