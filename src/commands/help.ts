// `/caracal help`: usage, ephemerally.
import { helpMessage, type UsageEntry } from '../blocks/help.ts';
import type { Subcommand } from './types.ts';

export function helpCommand(entries: () => readonly UsageEntry[]): Subcommand {
  return {
    name: 'help',
    usage: '/caracal help',
    description: 'this help.',
    async handle({ respond }) {
      await respond({ response_type: 'ephemeral', ...helpMessage(entries()) });
    },
  };
}
