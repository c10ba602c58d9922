// `/caracal recover [title]`: start a recovery run here: a dashboard message and the incident log under it.
import { UserFacingError } from '../errors.ts';
import type { RecoveryService } from '../recovery/service.ts';
import type { EnvironmentPicker } from './environment.ts';
import type { Subcommand } from './types.ts';

export const MAX_TITLE = 150;

export function defaultTitle(now: Date): string {
  return `Caracal recovery ${now.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function recoverCommand(deps: {
  service: RecoveryService;
  now: () => Date;
  pickEnvironment?: EnvironmentPicker;
  approversOffline?: () => boolean;
}): Subcommand {
  return {
    name: 'recover',
    // Database only; an approver look-up only while it needs no Slack call.
    saveFirst: () => deps.approversOffline?.() ?? false,
    usage: '/caracal recover [environment] [title]',
    description: 'start a recovery run in this channel: Freeze → Storage → Services → Evidence → Safety → Resume.',
    async handle({ command, args }) {
      // The first word names the environment when it is one (`/caracal recover staging Redis down`).
      const choice = deps.pickEnvironment?.(command.channel_id, args);
      const title = (choice ? choice.rest : args).slice(0, MAX_TITLE) || defaultTitle(deps.now());
      const result = await deps.service.startRun({
        channelId: command.channel_id,
        title,
        userId: command.user_id,
        ...(choice ? { environment: choice.environment } : {}),
      });
      if (!result.ok) throw new UserFacingError('conflict', result.reason);
    },
  };
}
