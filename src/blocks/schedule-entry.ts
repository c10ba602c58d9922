// Log entries of what the scheduler writes (issue 17): watch changes, "can be confirmed", reminders, and the release
// of a claim. A stale claim's offer to release it and a quiet run's question go to the channel too (broadcast).
import type { ActionsBlock } from '@slack/types';
import { GATE_TITLES } from '../domain/gates.ts';
import type { EventData, StoredEvent } from '../domain/events.ts';
import { formatInterval } from '../domain/interval.ts';
import { ACTION } from './ids.ts';
import { escapeMrkdwn, truncate } from './mrkdwn.ts';
import { encodePayload, gateButtonPayload } from './payloads.ts';
import { userMention } from './users.ts';

const GROUP_ID = /^S[A-Z0-9]{2,20}$/;
type ScheduledEvent = StoredEvent<'watch_set' | 'watch_changed' | 'watch_ready' | 'gate_released' | 'reminder'>;
const gateName = (e: StoredEvent): string => (e.gate ? `*${GATE_TITLES[e.gate]}*` : 'the run');
const time = (iso: string): string => escapeMrkdwn(iso.slice(11, 16));
const claimant = (userId: string | null | undefined): string => (userId ? `${userMention(userId)} ` : '');

function changeLine(c: EventData<'watch_changed'>['changes'][number], at: string): string {
  const check = `\`${escapeMrkdwn(c.check)}\``;
  if (c.to === 'pass') return `${check} is green again at ${time(at)}`;
  return `${check} turned ${c.to} (was ${c.from}) at ${time(at)}: ${escapeMrkdwn(truncate(c.summary, 300))}`;
}

/** The entry's text for a scheduler event. */
export function describeScheduled(e: ScheduledEvent): string {
  switch (e.type) {
    case 'watch_changed':
      return `:eyes: ${claimant(e.data.claimant)}${gateName(e)}: ${e.data.changes.map((c) => changeLine(c, e.data.at)).join('; ')}.`;
    case 'watch_ready': {
      const groups = e.data.userGroups.filter((g) => GROUP_ID.test(g)).map((g) => `<!subteam^${g}>`);
      const people = [claimant(e.data.claimant).trim(), ...e.data.approvers.map(userMention), ...groups].filter(Boolean);
      return `:large_green_circle: Every check of ${gateName(e)} passes at ${time(e.data.at)} (recorded on the gate): ${[...new Set(people)].join(', ') || 'approvers'}, it can be confirmed.`;
    }
    case 'watch_set':
      return e.data.mode === 'off' || e.data.intervalMs === null
        ? `:eyes: ${userMention(e.actor)} turned the watch off.`
        : `:eyes: ${userMention(e.actor)} set the watch to every ${formatInterval(e.data.intervalMs)}.`;
    case 'gate_released':
      return `:open_hands: ${userMention(e.actor)} released the claim on ${gateName(e)}${e.data.previous && e.data.previous !== e.actor ? ` (held by ${userMention(e.data.previous)})` : ''}: anyone can claim it.`;
    case 'reminder': {
      const quiet = formatInterval(e.data.quietMs);
      if (e.data.stage === 'claimant')
        return `:alarm_clock: ${claimant(e.data.claimant)}${gateName(e)} has had no activity for ${quiet}. Still on it? Add a note, run checks, or \`/caracal handoff @someone <note>\`.`;
      if (e.data.stage === 'release')
        return `:hourglass: ${gateName(e)}, claimed by ${claimant(e.data.claimant) || 'someone '}has had no activity for ${quiet}. Release the claim so someone else can take it?`;
      return `:question: This run has had no activity for ${quiet}. Is it still active? A note keeps it going; \`/caracal cancel <reason>\` ends it.`;
    }
  }
}

/** Shown in the channel as well as the thread: the questions someone outside the thread must see. */
export function broadcastEntry(e: StoredEvent): boolean {
  return e.type === 'reminder' && (e.data.stage === 'release' || e.data.stage === 'run_idle');
}

/** The Release claim button under a stale claim's offer. */
export function releaseButton(e: StoredEvent): ActionsBlock | undefined {
  if (e.type !== 'reminder' || e.data.stage !== 'release' || !e.gate) return undefined;
  return {
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: ACTION.gateRelease,
        text: { type: 'plain_text', text: 'Release claim' },
        value: encodePayload(gateButtonPayload, { v: 1, runId: e.runId, gate: e.gate }),
      },
    ],
  };
}
