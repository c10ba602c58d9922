// Log entries of what the scheduler writes (issue 17): watch changes, "can be confirmed", reminders, and the release
// of a claim. A stale claim's offer to release it and a quiet run's question go to the channel too (broadcast).
import type { ActionsBlock } from '@slack/types';
import { GATE_TITLES } from '../domain/gates.ts';
import type { StoredEvent } from '../store/events.ts';
import { formatInterval } from '../domain/interval.ts';
import { ACTION } from './ids.ts';
import { escapeMrkdwn, truncate } from './mrkdwn.ts';
import { encodePayload, gateButtonPayload } from './payloads.ts';
import { userMention } from './users.ts';

const GROUP_ID = /^S[A-Z0-9]{2,20}$/;
const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));
const gateName = (e: StoredEvent): string => (e.gate ? `*${GATE_TITLES[e.gate]}*` : 'the run');
const time = (v: unknown): string => escapeMrkdwn(str(v).slice(11, 16));
const claimant = (v: unknown): string => (typeof v === 'string' && v ? `${userMention(v)} ` : '');

type Change = { check?: unknown; from?: unknown; to?: unknown; summary?: unknown };

function changeLine(c: Change, at: unknown): string {
  const check = `\`${escapeMrkdwn(str(c.check))}\``;
  if (c.to === 'pass') return `${check} is green again at ${time(at)}`;
  return `${check} turned ${escapeMrkdwn(str(c.to))} (was ${escapeMrkdwn(str(c.from))}) at ${time(at)}: ${escapeMrkdwn(truncate(str(c.summary), 300))}`;
}

/** The entry's text for a scheduler event, or undefined for any other event. */
export function describeScheduled(e: StoredEvent): string | undefined {
  const d = e.data;
  switch (e.type) {
    case 'watch_changed': {
      const changes = Array.isArray(d.changes) ? (d.changes as Change[]) : [];
      return `:eyes: ${claimant(d.claimant)}${gateName(e)}: ${changes.map((c) => changeLine(c, d.at)).join('; ')}.`;
    }
    case 'watch_ready': {
      const people = [claimant(d.claimant).trim(), ...(Array.isArray(d.approvers) ? d.approvers.map((u) => userMention(str(u))) : []),
        ...(Array.isArray(d.userGroups) ? d.userGroups.map(str).filter((g) => GROUP_ID.test(g)).map((g) => `<!subteam^${g}>`) : [])].filter(Boolean);
      return `:large_green_circle: Every check of ${gateName(e)} passes at ${time(d.at)} (recorded on the gate): ${[...new Set(people)].join(', ') || 'approvers'}, it can be confirmed.`;
    }
    case 'watch_set':
      return d.mode === 'off' ? `:eyes: ${userMention(e.actor)} turned the watch off.` : `:eyes: ${userMention(e.actor)} set the watch to every ${formatInterval(Number(d.intervalMs))}.`;
    case 'gate_released':
      return `:open_hands: ${userMention(e.actor)} released the claim on ${gateName(e)}${d.previous && d.previous !== e.actor ? ` (held by ${userMention(str(d.previous))})` : ''}: anyone can claim it.`;
    case 'reminder': {
      const quiet = formatInterval(Number(d.quietMs ?? 0));
      if (d.stage === 'claimant') return `:alarm_clock: ${claimant(d.claimant)}${gateName(e)} has had no activity for ${quiet}. Still on it? Add a note, run checks, or \`/caracal handoff @someone <note>\`.`;
      if (d.stage === 'release') return `:hourglass: ${gateName(e)}, claimed by ${userMention(str(d.claimant))}, has had no activity for ${quiet}. Release the claim so someone else can take it?`;
      return `:question: This run has had no activity for ${quiet}. Is it still active? A note keeps it going; \`/caracal cancel <reason>\` ends it.`;
    }
    default:
      return undefined;
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
    elements: [{ type: 'button', action_id: ACTION.gateRelease, text: { type: 'plain_text', text: 'Release claim' }, value: encodePayload(gateButtonPayload, { v: 1, runId: e.runId, gate: e.gate }) }],
  };
}
