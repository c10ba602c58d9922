// `/caracal summary` and the top of the timeline: a run's brief as mrkdwn lines, readable in 30 seconds.
import type { RunBrief } from '../recovery/brief.ts';
import { formatDuration } from '../recovery/summary.ts';
import { GATES, GATE_TITLES } from '../domain/gates.ts';
import { escapeMrkdwn } from './mrkdwn.ts';
import { userMention } from './users.ts';

export function runBriefText(brief: RunBrief, now: Date): string {
  const age = formatDuration(now.getTime() - brief.startedAt.getTime());
  const where = brief.open
    ? `Gate ${brief.open.position} of ${GATES.length}: *${GATE_TITLES[brief.open.gate]}*, ${brief.open.claimedBy ? `held by ${userMention(brief.open.claimedBy)}` : 'not claimed yet'}`
    : `The run is ${brief.status}`;
  const done = brief.done.length
    ? brief.done.map((d) => `${GATE_TITLES[d.gate]} ${d.how}${d.by ? ` by ${userMention(d.by)}` : ''}`).join('; ')
    : 'nothing confirmed yet';
  const lines = [
    `*${brief.kind === 'drill' ? 'Drill' : 'Recovery run'} "${escapeMrkdwn(brief.title)}"*${brief.environment ? ` on \`${escapeMrkdwn(brief.environment)}\`` : ''}, started ${age} ago (${brief.status})`,
    `*Where it stands:* ${where}`,
    `*Done:* ${done}`,
    `*Blocked by:* ${brief.blockers.length ? brief.blockers.map(escapeMrkdwn).join('; ') : 'nothing'}`,
    `*Next:* ${brief.next}`,
  ];
  return lines.join('\n');
}
