// `/caracal cancel [reason]`: an approver ends the channel's active run (a drill that was abandoned, a false alarm),
// so that no run can block an incident channel for good. The reason is recorded in the log and the timeline.
import { escapeMrkdwn } from '../blocks/mrkdwn.ts';
import { UserFacingError } from '../errors.ts';
import type { RecoveryService } from '../recovery/service.ts';
import type { Subcommand } from './types.ts';

export const MAX_CANCEL_REASON = 500;

export function cancelCommand(deps: { service: RecoveryService; approversOffline?: () => boolean }): Subcommand {
  return {
    name: 'cancel',
    // Database only; an approver look-up only while it needs no Slack call.
    saveFirst: () => deps.approversOffline?.() ?? false,
    usage: '/caracal cancel [reason]',
    description: 'end this channel’s active run without Resume (approvers only); the reason goes into the incident log.',
    async handle({ command, args, respond }) {
      if (args.length > MAX_CANCEL_REASON) {
        throw new UserFacingError(
          'bad_request',
          `Keep the reason under ${MAX_CANCEL_REASON} characters (it was ${args.length}); add details with \`/caracal note\` first.`,
        );
      }
      const result = await deps.service.cancelRun(command.channel_id, command.user_id, args);
      if (!result.ok) throw new UserFacingError(result.kind === 'denied' ? 'forbidden' : 'not_found', result.reason);
      await respond({
        response_type: 'ephemeral',
        text: `Cancelled the run "${escapeMrkdwn(result.run.title)}". The dashboard and the incident log say so.`,
      });
    },
  };
}
