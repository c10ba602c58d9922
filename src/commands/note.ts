// `/caracal note <text>`: add a note to the incident log of this channel's active run.
import { splitText } from '../blocks/mrkdwn.ts';
import { UserFacingError } from '../errors.ts';
import type { RecoveryService } from '../recovery/service.ts';
import type { RequestLimits } from '../slack/request-limits.ts';
import type { Subcommand } from './types.ts';

/** The most one incident-log entry shows of a note (log-entry.ts); longer notes become continuation entries. */
export const MAX_NOTE = 2500;
/** Room for the "(2/3) " marker of a continuation entry. */
const MARKER_ROOM = 12;

/** A note as the entries it is logged as: whole when it fits, else split at line or word breaks and numbered. */
export function noteEntries(text: string): { text: string; part?: number; parts?: number }[] {
  if (text.length <= MAX_NOTE) return [{ text }];
  const pieces = splitText(text, MAX_NOTE - MARKER_ROOM)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  return pieces.map((p, i) => ({ text: `(${i + 1}/${pieces.length}) ${p}`, part: i + 1, parts: pieces.length }));
}

/** What the person is told: how many entries, and why more than one. */
export function addedText(entries: number): string {
  if (entries === 1) return 'Added to the incident log.';
  return `Added to the incident log as ${entries} entries: one entry shows at most ${MAX_NOTE.toLocaleString('en-US')} characters, so nothing was cut.`;
}

export function noteCommand(deps: { service: RecoveryService; limits?: RequestLimits }): Subcommand {
  return {
    name: 'note',
    usage: '/caracal note <text>',
    description: 'add a note to the active run’s incident log (or use the message shortcut "Add to incident log").',
    saveFirst: () => true,
    // Counted once, when it arrives: a saved note handled again after its replica died is not counted twice.
    async admit(command, args) {
      if (!args) throw new UserFacingError('bad_request', 'Write the note after the command: `/caracal note restarted gateway-0`.');
      await deps.limits?.take('notes', command.user_id, command.channel_id);
    },
    async handle({ command, args, respond }) {
      const entries = noteEntries(args);
      // A replayed request (same trigger_id) is recorded once.
      const result = await deps.service.addEvent(command.channel_id, command.user_id, 'note', entries, `note:${command.trigger_id}`);
      if (!result.ok) throw new UserFacingError('not_found', result.reason);
      await respond({ response_type: 'ephemeral', text: addedText(entries.length) });
    },
  };
}
