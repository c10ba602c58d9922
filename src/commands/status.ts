// `/caracal status`: run every reconciliation check and post a report that fills in as results arrive.
import type { StatusRunDeps } from '../reports/status-run.ts';
import { runStatusReport } from '../reports/status-run.ts';
import type { Subcommand } from './types.ts';

export function statusCommand(deps: StatusRunDeps): Subcommand {
  return {
    name: 'status',
    usage: '/caracal status',
    description: 'run every reconciliation check and post the report here (Re-run and Details buttons).',
    async handle({ command, client }) {
      await runStatusReport(deps, { client, channelId: command.channel_id, requestedBy: command.user_id });
    },
  };
}
