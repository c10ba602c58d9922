// `/caracal status`: run every reconciliation check and post a report that fills in as results arrive.
// `/caracal status every 15m` schedules it for the channel (a new report only when something changed), and
// `/caracal status stop` ends the schedule.
import type { StatusScheduleControl } from '../schedule/status-schedule.ts';
import { UserFacingError } from '../errors.ts';
import type { StatusRunDeps } from '../reports/status-run.ts';
import { runStatusReport } from '../reports/status-run.ts';
import { escapeMrkdwn, truncate } from '../blocks/mrkdwn.ts';
import { joinedReportText } from '../blocks/status-report.ts';
import { formatInterval, parseInterval } from '../domain/interval.ts';
import type { EnvironmentPicker } from './environment.ts';
import type { Subcommand } from './types.ts';

export function statusCommand(
  deps: StatusRunDeps & { pickEnvironment?: EnvironmentPicker; environments?: readonly string[] },
  schedule?: StatusScheduleControl,
): Subcommand {
  /** The environment named in `words` or the channel's default; anything else in `words` is refused. */
  function pickOrRefuse(words: string, channelId: string): string | undefined {
    const choice = deps.pickEnvironment?.(channelId, words);
    if (choice && choice.rest !== '') {
      throw new UserFacingError(
        'bad_request',
        `"${escapeMrkdwn(truncate(choice.rest, 40))}" is not an environment. Known: ${(deps.environments ?? []).map((e) => `\`${e}\``).join(', ')}.`,
      );
    }
    return choice?.environment;
  }
  return {
    name: 'status',
    usage: '/caracal status [environment] | every <interval> [environment] | stop',
    description:
      'run every reconciliation check (of the channel’s environment, or the one named) and post the report here; `every 15m` repeats it, posting only changes.',
    // A refusal by a limit, and the pointer to the channel's report of a moment ago when this replica knows it, ride
    // on the ack (a burst of requests is answered without a second request each); anything that needs the database
    // or Slack first acks (runStatusReport's `decided`).
    answersInAck: true,
    async handle({ command, args, client, respond, ackNow }) {
      const [word, rest] = [args.split(/\s+/)[0]?.toLowerCase() ?? '', args.split(/\s+/).slice(1).join(' ')];
      if (schedule && word === 'every') {
        const [interval = '', ...named] = rest.split(/\s+/);
        const ms = parseInterval(interval);
        if (ms === undefined)
          throw new UserFacingError('bad_request', 'How often? `/caracal status every 15m [environment]` (from 30s to 24h).');
        const environment = pickOrRefuse(named.join(' '), command.channel_id);
        await schedule.every(command.channel_id, ms, command.user_id, environment);
        const of = environment ? ` of \`${environment}\`` : '';
        await respond({
          response_type: 'ephemeral',
          text: `A status report${of} every ${formatInterval(ms)} in this channel, posted only when something changed. \`/caracal status stop\` ends it; so does the run's Resume.`,
        });
        return;
      }
      if (schedule && word === 'stop') {
        const had = await schedule.stop(command.channel_id);
        await respond({
          response_type: 'ephemeral',
          text: had ? 'Scheduled status reports stopped for this channel.' : 'This channel has no scheduled status report.',
        });
        return;
      }
      const environment = pickOrRefuse(args, command.channel_id);
      const report = await runStatusReport(deps, {
        client,
        channelId: command.channel_id,
        requestedBy: command.user_id,
        joinRecent: true,
        decided: ackNow,
        ...(environment ? { environment } : {}),
      });
      if (report.joined) await respond({ response_type: 'ephemeral', text: joinedReportText(report) });
    },
  };
}
