// Full evidence of a status report, for the thread under it: every check, its metrics, evidence and remedy.
import type { KnownBlock } from '@slack/types';
import type { CheckResult, MetricValue } from '../domain/check-result.ts';
import { LIMITS, sections } from './limits.ts';
import { escapeMrkdwn, truncate } from './mrkdwn.ts';
import { STATUS_EMOJI } from './status-report.ts';
import type { StatusReport } from '../domain/report.ts';

function metricLine([key, value]: [string, MetricValue]): string {
  return `• ${escapeMrkdwn(key)}: ${escapeMrkdwn(String(value))}`;
}

export function checkDetailsText(r: CheckResult): string {
  const lines = [
    `${STATUS_EMOJI[r.status]} *${escapeMrkdwn(r.title)}* \`${r.id}\` · ${r.status} · ${r.durationMs} ms`,
    escapeMrkdwn(r.summary),
  ];
  const metrics = Object.entries(r.metrics);
  if (metrics.length > 0) lines.push('*Metrics*', ...metrics.map(metricLine));
  if (r.evidence.length > 0) lines.push('*Evidence*', ...r.evidence.map((e) => `• ${escapeMrkdwn(e)}`));
  if (r.remedy) lines.push(`*Next:* ${escapeMrkdwn(r.remedy)}`);
  if (r.error) lines.push(`*Checker error:* ${escapeMrkdwn(`${r.error.name}: ${r.error.message}`)}`);
  return lines.join('\n');
}

export interface ThreadMessage {
  text: string;
  blocks: KnownBlock[];
}

/** The details as one or more thread replies of at most 50 blocks each; nothing is cut. */
export function statusDetailsMessages(view: StatusReport): ThreadMessage[] {
  const blocks: KnownBlock[] = view.environment
    ? [
        {
          type: 'context',
          elements: [{ type: 'mrkdwn', text: `Evidence of the \`${escapeMrkdwn(view.environment)}\` environment's checks` }],
        },
      ]
    : [];
  for (const r of view.results) {
    blocks.push(...sections(checkDetailsText(r)), { type: 'divider' });
  }
  const messages: ThreadMessage[] = [];
  for (let i = 0; i < blocks.length; i += LIMITS.blocksPerMessage) {
    const part = blocks.slice(i, i + LIMITS.blocksPerMessage);
    const n = messages.length + 1;
    // Named, like the report: a thread may hold reports of several environments (re-runs, schedules).
    const of = view.environment ? ` (${view.environment})` : '';
    messages.push({ text: truncate(`${view.sandbox ? '[SANDBOX] ' : ''}Status report details${of}, part ${n}`, 200), blocks: part });
  }
  return messages;
}

/** Blocks that did not fit in the report itself, as thread replies. */
export function overflowMessages(overflow: KnownBlock[][], sandbox: boolean): ThreadMessage[] {
  return overflow.map((blocks, i) => ({
    text: `${sandbox ? '[SANDBOX] ' : ''}Status report (continued, part ${i + 1})`,
    blocks,
  }));
}
