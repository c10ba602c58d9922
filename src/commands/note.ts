// `/caracal note <text>`: add a note to the incident log of this channel's active run.
import { UserFacingError } from '../errors.ts';
import type { RecoveryService } from '../recovery/service.ts';
import type { Subcommand } from './types.ts';

export const MAX_NOTE = 2500;

export function noteCommand(deps: { service: RecoveryService }): Subcommand {
  return {
    name: 'note',
    usage: '/caracal note <text>',
    description: 'add a note to the active run’s incident log (or use the message shortcut "Add to incident log").',
    async handle({ command, args, respond }) {
      if (!args) throw new UserFacingError('bad_request', 'Write the note after the command: `/caracal note restarted gateway-0`.');
      const result = await deps.service.addEvent(command.channel_id, command.user_id, 'note', { text: args.slice(0, MAX_NOTE) });
      if (!result.ok) throw new UserFacingError('not_found', result.reason);
      await respond({ response_type: 'ephemeral', text: 'Added to the incident log.' });
    },
  };
}
