// `/caracal timeline`: the run's events as Markdown for the post-incident review, with UTC times and people named
// (the Slack id kept beside the name, so the review can still search by it).
import { GATE_TITLES } from '../domain/gates.ts';
import type { RunState } from '../domain/run.ts';
import type { StoredEvent } from '../domain/events.ts';
import { drillRecoveryNote, formatDuration, summarize } from './summary.ts';

/** A user id as the review reads it: `@Alice (U0ALICE)`, or `@U0ALICE` when the name is unknown. */
export type NameOf = (userId: string) => string | undefined;

export function person(id: string, nameOf: NameOf): string {
  const name = nameOf(id);
  return name && name !== id ? `@${name} (${id})` : `@${id}`;
}

/** Slack mrkdwn to Markdown: mentions become names, the leading emoji goes, escapes are undone. */
function plain(text: string, nameOf: NameOf): string {
  return text
    .replace(/^:[a-z0-9_+-]+: /, '')
    .replace(/<@([UW][A-Z0-9]+)>/g, (_m, id: string) => person(id, nameOf))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * User and target text as inert Markdown (issue 18): one line (a note cannot start a forged event line or a
 * heading), and the characters that make links, images, HTML, emphasis, code and table cells escaped, so
 * `[x](javascript:…)` and `<javascript:…>` stay text. The bot's own emphasis shows as plain asterisks.
 */
export function inertMarkdown(text: string): string {
  return text.replace(/\r\n|[\r\n\u2028\u2029\v\f]/g, ' ⏎ ').replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`);
}

const iso = (d: Date | undefined): string => (d ? d.toISOString().replace('.000Z', 'Z') : '—');

/** Every user id the timeline will show, for resolving names before rendering. */
export function timelineUserIds(run: RunState, events: readonly StoredEvent[]): string[] {
  const ids = new Set<string>([run.startedBy, ...events.map((e) => e.actor)]);
  for (const e of events)
    for (const v of Object.values(e.data)) for (const m of JSON.stringify(v ?? '').matchAll(/\b([UW][A-Z0-9]{2,})\b/g)) ids.add(m[1]);
  return [...ids].filter((id) => /^[UW][A-Z0-9]+$/.test(id));
}

/** The brief's mrkdwn lines as Markdown: `*bold*` becomes `**bold**`, mentions become names. */
function briefMarkdown(brief: string, nameOf: NameOf): string[] {
  return brief.split('\n').map((line) => `> ${plain(line, nameOf).replace(/\*([^*\n]+)\*/g, '**$1**')}`);
}

/**
 * `brief`: the run's summary (blocks/run-brief.ts) as mrkdwn, shown first so a reader knows in 30 seconds where the
 * run stands before the detail.
 */
export function timelineMarkdown(
  run: RunState,
  events: readonly StoredEvent[],
  describe: (e: StoredEvent) => string,
  nameOf: NameOf = () => undefined,
  brief?: string,
): string {
  const s = summarize(events);
  const at = (id: string) => inertMarkdown(person(id, nameOf));
  const lines = [
    `# ${run.kind === 'drill' ? 'Drill' : 'Recovery run'}: ${inertMarkdown(run.title)}`,
    '',
    ...(brief ? ['## Summary', '', ...briefMarkdown(brief, nameOf), ''] : []),
    `- Run: ${inertMarkdown(run.id)} (channel ${inertMarkdown(run.channelId)}), status ${run.status}${run.environment ? `, environment ${inertMarkdown(run.environment)}` : ''}`,
    `- Started: ${iso(s.startedAt)} by ${at(run.startedBy)}`,
    `- Resumed: ${iso(s.resumedAt)}`,
    `- Time to recover: ${formatDuration(s.timeToRecoverMs)}${run.kind === 'drill' ? ' (run start to Resume)' : ''}`,
    `- Approvers: ${s.approvers.map(at).join(', ') || '—'}`,
    `- Overrides: ${s.overrides.length}${s.overrides.map((o) => `\n  - ${GATE_TITLES[o.gate]}: requested by ${at(o.requestedBy)}, approved by ${at(o.approvedBy)}: ${inertMarkdown(o.reason)}`).join('')}`,
    `- Denied actions: ${s.denials}`,
    ...(run.kind === 'drill'
      ? [
          `- Drill: ${inertMarkdown(run.scenario ?? '?')}; fault injected ${iso(s.drill.injectedAt)}; time to detect (TTD): ${formatDuration(s.drill.timeToDetectMs)}; time to recover (TTR): ${formatDuration(s.drill.timeToRecoverMs)}${drillRecoveryNote(s.drill)}`,
        ]
      : []),
    '',
    '## Time per gate',
    '',
    '| Gate | Opened (UTC) | Done (UTC) | Took | How | By |',
    '|---|---|---|---|---|---|',
    ...s.gates.map(
      (g) =>
        `| ${GATE_TITLES[g.gate]} | ${iso(g.openedAt)} | ${iso(g.doneAt)} | ${formatDuration(g.durationMs)} | ${g.how ?? 'open'} | ${g.by.map(at).join(', ')} |`,
    ),
    '',
    '## Events',
    '',
    ...events.map((e) => `- ${iso(e.at)} ${inertMarkdown(plain(describe(e), nameOf))}`),
  ];
  return lines.join('\n');
}
