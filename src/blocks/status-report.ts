// The status report message: pure function from the report's state to Block Kit.
import type { ActionsBlock, ContextBlock, HeaderBlock, KnownBlock } from '@slack/types';
import { worstStatus } from '../domain/check-result.ts';
import { FAILURE_MATRIX } from '../domain/failure-matrix.ts';
import type { CheckResult, CheckStatus } from '../domain/check-result.ts';
import { correlate, type Finding } from '../checks/correlate.ts';
import type { StatusReport } from '../domain/report.ts';
import { ACTION, BLOCK } from './ids.ts';
import { LIMITS, packGroups, sections, type PackedMessage } from './limits.ts';
import { escapeMrkdwn, slackDate, truncate } from './mrkdwn.ts';
import { encodePayload, reportButtonPayload } from './payloads.ts';
import { userMention } from './users.ts';

export interface SlackMessage extends PackedMessage {
  text: string;
}

export const STATUS_EMOJI: Record<CheckStatus | 'pending', string> = {
  pass: ':white_check_mark:',
  warn: ':warning:',
  fail: ':x:',
  error: ':boom:',
  pending: ':hourglass_flowing_sand:',
};

const ORDER: Record<CheckStatus, number> = { error: 0, fail: 1, warn: 2, pass: 3 };

function label(sandbox: boolean): string {
  return sandbox ? '[SANDBOX] ' : '';
}

export function reportHeadline(view: Pick<StatusReport, 'planned' | 'results'>): string {
  const done = view.results.length;
  const total = view.planned.length;
  const failing = view.results.filter((r) => r.status === 'fail' || r.status === 'error').length;
  const warning = view.results.filter((r) => r.status === 'warn').length;
  if (done < total) return `Checking… ${done} of ${total} done (${failing} failing so far)`;
  const verdict = worstStatus(view.results.map((r) => r.status));
  if (verdict === 'pass') return `All ${total} checks pass`;
  const counts = `${failing} failing, ${warning} warning of ${total} checks`;
  const root = correlate(sortedProblems(view.results)).find((f) => f.consequences.length > 0)?.result.matrix[0];
  return root ? `${FAILURE_MATRIX[root].failure}: ${counts}` : counts;
}

function sortedProblems(results: readonly CheckResult[]): CheckResult[] {
  return results.filter((r) => r.status !== 'pass').sort((a, b) => ORDER[a.status] - ORDER[b.status]);
}

/** One failing or warning check: what is wrong, what it means for users, what to do next. */
export function problemText(r: CheckResult): string {
  const lines = [`${STATUS_EMOJI[r.status]} *${escapeMrkdwn(r.title)}* \`${r.id}\``, escapeMrkdwn(r.summary)];
  // A warning is not an outage: "Postgres unavailable" above a slow answer would send people the wrong way.
  for (const row of r.status === 'warn' ? [] : r.matrix) {
    const m = FAILURE_MATRIX[row];
    lines.push(`>*${m.failure}.* Users: ${m.impact}`, `>Runbook: ${m.recovery}`);
  }
  if (r.remedy) lines.push(`*Next:* ${escapeMrkdwn(r.remedy)}`);
  return lines.join('\n');
}

/** A root cause with what it explains: its own problem text, then one line per consequence, then new advice once. */
export function findingText(f: Finding): string {
  const lines = [problemText(f.result)];
  if (f.consequences.length === 0) return lines[0];
  lines.push(`*Explains ${f.consequences.length} more finding(s) below; they should clear once this is fixed:*`);
  for (const c of f.consequences) {
    const cause = f.cause ? ` _Cause: ${escapeMrkdwn(f.cause)}._` : '';
    lines.push(`• ${STATUS_EMOJI[c.status]} *${escapeMrkdwn(c.title)}* \`${c.id}\`: ${escapeMrkdwn(c.summary)}${cause}`);
  }
  if (f.extraRemedies.length > 0) lines.push(`*Also:* ${escapeMrkdwn(f.extraRemedies.join(' '))}`);
  return lines.join('\n');
}

function listText(emoji: string, heading: string, items: readonly { id: string; title: string }[]): string {
  return [`*${heading}*`, ...items.map((c) => `${emoji} ${escapeMrkdwn(c.title)} \`${c.id}\``)].join('\n');
}

/** Results taken from a report that ran moments before: checks run at most once per cache window. */
/** Said to someone whose `/caracal status` the channel's report of a moment ago answers. */
export function joinedReportText(report: {
  view: Pick<StatusReport, 'requestedBy' | 'startedAt' | 'environment'>;
  messageTs?: string;
}): string {
  const of = report.view.environment ? ` of \`${report.view.environment}\`` : '';
  const where = report.messageTs ? 'It is the report just above in this channel' : 'It is being posted in this channel now';
  return (
    `<@${report.view.requestedBy}> asked for a status report${of} at ${slackDate(report.view.startedAt, '{time_secs}')}: it runs the same checks, so it answers yours. ` +
    `${where}; its *Re-run* button runs them again.`
  );
}

export function sharedNote(view: Pick<StatusReport, 'sharedWith'>): string {
  if (!view.sharedWith) return '';
  return ` · shared with the report of ${slackDate(view.sharedWith, '{time_secs}')}`;
}

export function statusReportMessage(view: StatusReport): SlackMessage {
  const headline = reportHeadline(view);
  const complete = view.results.length >= view.planned.length;
  const verdict = complete ? worstStatus(view.results.map((r) => r.status)) : undefined;
  const icon = verdict ? STATUS_EMOJI[verdict] : STATUS_EMOJI.pending;
  const header: HeaderBlock = {
    type: 'header',
    block_id: BLOCK.statusHeader,
    text: {
      type: 'plain_text',
      text: truncate(
        `${label(view.sandbox)}Caracal status${view.environment ? ` (${view.environment})` : ''}: ${headline}`,
        LIMITS.headerText,
      ),
      emoji: true,
    },
  };
  const context: ContextBlock = {
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `${icon} Requested by ${userMention(view.requestedBy)} · started ${slackDate(view.startedAt)}${view.environment ? ` · environment \`${escapeMrkdwn(view.environment)}\`` : ''}${sharedNote(view)}${view.sandbox ? ' · *SANDBOX*' : ''}`,
      },
    ],
  };
  const byId = new Map(view.results.map((r) => [r.id, r]));
  const problems = sortedProblems(view.results);
  const findings = correlate(problems);
  const groups: KnownBlock[][] = findings.map((f) => sections(findingText(f), `${BLOCK.statusCheck}_${f.result.id.replace(/\./g, '-')}`));
  const passed = view.planned.filter((c) => byId.get(c.id)?.status === 'pass');
  const pending = view.planned.filter((c) => !byId.has(c.id));
  if (pending.length > 0) groups.push(sections(listText(STATUS_EMOJI.pending, 'Still checking', pending)));
  if (passed.length > 0) groups.push(sections(listText(STATUS_EMOJI.pass, 'Passing', passed)));

  // The buttons act on the environment this report checked, whatever the channel's default is.
  const value = encodePayload(
    reportButtonPayload,
    view.environment ? { v: 2, reportId: view.reportId, env: view.environment } : { v: 1, reportId: view.reportId },
  );
  const actions: ActionsBlock = {
    type: 'actions',
    block_id: BLOCK.statusActions,
    elements: [
      { type: 'button', action_id: ACTION.statusRerun, text: { type: 'plain_text', text: 'Re-run' }, value },
      { type: 'button', action_id: ACTION.statusDetails, text: { type: 'plain_text', text: 'Details' }, value },
      { type: 'button', action_id: ACTION.statusStartRecovery, text: { type: 'plain_text', text: 'Start recovery' }, value },
    ],
  };
  const packed = packGroups([header, context], groups, [actions], (moved) => ({
    type: 'context',
    block_id: BLOCK.statusOverflow,
    elements: [{ type: 'mrkdwn', text: `:thread: ${moved} more item(s) did not fit here: see the thread under this message.` }],
  }));
  const names = findings
    .map(
      (f) =>
        `${f.result.id} (${f.result.status})${f.consequences.length > 0 ? ` explaining ${f.consequences.map((c) => c.id).join(', ')}` : ''}`,
    )
    .join(', ');
  const text = truncate(
    `${label(view.sandbox)}Caracal status${view.environment ? ` (${view.environment})` : ''}: ${headline}${names ? `: ${names}` : ''}`,
    LIMITS.fallbackText,
  );
  return { text, ...packed };
}
