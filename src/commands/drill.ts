// `/caracal drill [scenario]`: alone, the catalog; with a scenario, a drill run (labelled DRILL everywhere).
import { sections } from '../blocks/limits.ts';
import { escapeMrkdwn } from '../blocks/mrkdwn.ts';
import { DRILLS, findDrill } from '../drills/catalog.ts';
import { UserFacingError } from '../errors.ts';
import type { RecoveryService } from '../recovery/service.ts';
import type { EnvironmentPicker } from './environment.ts';
import type { Subcommand } from './types.ts';

function catalogText(): string {
  return [
    '*Drill catalog* (run against a non-production cluster, or the sandbox):',
    ...DRILLS.map((d) => `\`/caracal drill ${d.id}\`: ${d.title}. ${d.inject}`),
  ].join('\n');
}

export function drillCommand(deps: { service: RecoveryService; now: () => Date; pickEnvironment?: EnvironmentPicker }): Subcommand {
  return {
    name: 'drill',
    usage: '/caracal drill [environment] [scenario]',
    description: 'list the drill catalog, or start a drill run that records time to detect and time to recover.',
    async handle({ command, args: typed, respond }) {
      const choice = deps.pickEnvironment?.(command.channel_id, typed);
      const args = choice ? choice.rest : typed;
      if (!args) {
        await respond({ response_type: 'ephemeral', text: 'Drill catalog', blocks: sections(catalogText()) });
        return;
      }
      const drill = findDrill(args.split(/\s+/)[0]);
      if (!drill) throw new UserFacingError('not_found', `There is no drill "${escapeMrkdwn(args.slice(0, 40))}". ${catalogText()}`);
      const title = `${drill.title} drill ${deps.now().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
      const result = await deps.service.startRun({
        channelId: command.channel_id,
        title,
        userId: command.user_id,
        kind: 'drill',
        scenario: drill.id,
        ...(choice ? { environment: choice.environment } : {}),
      });
      if (!result.ok) throw new UserFacingError('conflict', result.reason);
    },
  };
}
