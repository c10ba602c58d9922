// `/caracal timeline`: the run's events as Markdown for the post-incident review, with UTC times.
import { GATE_TITLES, type RunState } from './model.ts';
import type { StoredEvent } from '../store/events.ts';
import { formatDuration, summarize } from './summary.ts';

/** Slack mrkdwn to Markdown: mentions become @U…, the leading emoji goes, escapes are undone. */
function plain(text: string): string {
  return text
    .replace(/^:[a-z0-9_+-]+: /, '')
    .replace(/<@([UW][A-Z0-9]+)>/g, '@$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

const iso = (d: Date | undefined): string => (d ? d.toISOString().replace('.000Z', 'Z') : '—');

export function timelineMarkdown(run: RunState, events: readonly StoredEvent[], describe: (e: StoredEvent) => string): string {
  const s = summarize(events);
  const lines = [
    `# ${run.kind === 'drill' ? 'Drill' : 'Recovery run'}: ${run.title}`,
    '',
    `- Run: ${run.id} (channel ${run.channelId}), status ${run.status}`,
    `- Started: ${iso(s.startedAt)} by @${run.startedBy}`,
    `- Resumed: ${iso(s.resumedAt)}`,
    `- Time to recover: ${formatDuration(s.timeToRecoverMs)}`,
    `- Approvers: ${s.approvers.map((a) => `@${a}`).join(', ') || '—'}`,
    `- Overrides: ${s.overrides.length}${s.overrides.map((o) => `\n  - ${GATE_TITLES[o.gate]}: requested by @${o.requestedBy}, approved by @${o.approvedBy}: ${o.reason}`).join('')}`,
    `- Denied actions: ${s.denials}`,
    ...(run.kind === 'drill'
      ? [`- Drill: ${run.scenario ?? '?'}; fault injected ${iso(s.drill.injectedAt)}; time to detect (TTD): ${formatDuration(s.drill.timeToDetectMs)}; time to recover (TTR): ${formatDuration(s.drill.timeToRecoverMs)}`]
      : []),
    '',
    '## Time per gate',
    '',
    '| Gate | Opened (UTC) | Done (UTC) | Took | How | By |',
    '|---|---|---|---|---|---|',
    ...s.gates.map((g) => `| ${GATE_TITLES[g.gate]} | ${iso(g.openedAt)} | ${iso(g.doneAt)} | ${formatDuration(g.durationMs)} | ${g.how ?? 'open'} | ${g.by.map((b) => `@${b}`).join(', ')} |`),
    '',
    '## Events',
    '',
    ...events.map((e) => `- ${iso(e.at)} ${plain(describe(e))}`),
  ];
  return lines.join('\n');
}
