// `/caracal status`: run every reconciliation check and post a report that fills in as results arrive.
import type { StatusRunDeps } from '../reports/status-run.ts';
import { runStatusReport } from '../reports/status-run.ts';
import { UserFacingError } from '../errors.ts';
import { escapeMrkdwn, truncate } from '../blocks/mrkdwn.ts';
import type { EnvironmentPicker } from './environment.ts';
import type { Subcommand } from './types.ts';

export function statusCommand(deps: StatusRunDeps & { pickEnvironment?: EnvironmentPicker; environments?: readonly string[] }): Subcommand {
  return {
    name: 'status',
    usage: '/caracal status [environment]',
    description: 'run every reconciliation check (of the channel’s environment, or the one named) and post the report here.',
    async handle({ command, args, client }) {
      const choice = deps.pickEnvironment?.(command.channel_id, args);
      if (choice && choice.rest !== '') {
        throw new UserFacingError('bad_request', `"${escapeMrkdwn(truncate(choice.rest, 40))}" is not an environment. Known: ${(deps.environments ?? []).map((e) => `\`${e}\``).join(', ')}.`);
      }
      await runStatusReport(deps, { client, channelId: command.channel_id, requestedBy: command.user_id, ...(choice ? { environment: choice.environment } : {}) });
    },
  };
}
