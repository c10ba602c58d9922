// `/caracal status`: run every reconciliation check and post a report that fills in as results arrive.
// `/caracal status every 15m` schedules it for the channel (a new report only when something changed), and
// `/caracal status stop` ends the schedule.
import { UserFacingError } from '../errors.ts';
import type { StatusRunDeps } from '../reports/status-run.ts';
import { runStatusReport } from '../reports/status-run.ts';
import { formatInterval, parseInterval } from '../schedule/interval.ts';
import type { Subcommand } from './types.ts';

export interface StatusScheduleControl {
  /** Schedule the channel's report every `intervalMs`, first now. */
  every(channelId: string, intervalMs: number, userId: string): Promise<void>;
  /** False when the channel had no schedule. */
  stop(channelId: string): Promise<boolean>;
}

export function statusCommand(deps: StatusRunDeps, schedule?: StatusScheduleControl): Subcommand {
  return {
    name: 'status',
    usage: '/caracal status [every <interval>|stop]',
    description: 'run every reconciliation check and post the report here (Re-run and Details buttons); `every 15m` repeats it, posting only changes.',
    async handle({ command, args, client, respond }) {
      const [word, rest] = [args.split(/\s+/)[0]?.toLowerCase() ?? '', args.split(/\s+/).slice(1).join(' ')];
      if (schedule && word === 'every') {
        const ms = parseInterval(rest);
        if (ms === undefined) throw new UserFacingError('bad_request', 'How often? `/caracal status every 15m` (from 30s to 24h).');
        await schedule.every(command.channel_id, ms, command.user_id);
        await respond({ response_type: 'ephemeral', text: `A status report every ${formatInterval(ms)} in this channel, posted only when something changed. \`/caracal status stop\` ends it; so does the run's Resume.` });
        return;
      }
      if (schedule && word === 'stop') {
        const had = await schedule.stop(command.channel_id);
        await respond({ response_type: 'ephemeral', text: had ? 'Scheduled status reports stopped for this channel.' : 'This channel has no scheduled status report.' });
        return;
      }
      await runStatusReport(deps, { client, channelId: command.channel_id, requestedBy: command.user_id });
    },
  };
}
