// `/caracal summary`: post the active (or last) run's brief to the channel, for whoever just joined.
import { sections } from '../blocks/limits.ts';
import { escapeMrkdwn, truncate } from '../blocks/mrkdwn.ts';
import { runBriefText } from '../blocks/run-brief.ts';
import { UserFacingError } from '../errors.ts';
import { briefOf } from '../recovery/brief.ts';
import type { RecoveryService } from '../recovery/service.ts';
import type { Subcommand } from './types.ts';

export function summaryCommand(deps: { service: RecoveryService; now: () => Date }): Subcommand {
  return {
    name: 'summary',
    usage: '/caracal summary',
    description: 'post where this channel’s run stands: done, blocked and why, who holds what, the next step.',
    async handle({ command, respond }) {
      const run = await deps.service.activeRun(command.channel_id);
      if (!run) throw new UserFacingError('not_found', 'There is no active run in this channel. `/caracal timeline` exports the last one.');
      const now = deps.now();
      const text = runBriefText(briefOf(run, deps.service.policy, now), now);
      await respond({
        response_type: 'in_channel',
        text: truncate(`Summary of "${escapeMrkdwn(run.title)}"`, 200),
        blocks: sections(text),
      });
    },
  };
}
