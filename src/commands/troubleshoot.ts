// `/caracal troubleshoot [environment] [symptom]`: the runbook's troubleshooting table, each symptom with its checks.
// Its "Run these checks" button runs them against the environment named (else the channel's default), carried in
// the button so a later click checks the same deployment.
import { symptomList, symptomMessage } from '../blocks/troubleshoot.ts';
import { findSymptom, SYMPTOM_IDS, SYMPTOMS } from '../troubleshoot/symptoms.ts';
import type { EnvironmentPicker } from './environment.ts';
import type { Subcommand } from './types.ts';

export function troubleshootCommand(deps: { pickEnvironment?: EnvironmentPicker } = {}): Subcommand {
  return {
    name: 'troubleshoot',
    usage: '/caracal troubleshoot [environment] [symptom]',
    description: `symptom → the checks and actions that tell the cause (${SYMPTOM_IDS.join(', ')}).`,
    async handle({ command, args, respond }) {
      const choice = deps.pickEnvironment?.(command.channel_id, args);
      const rest = choice ? choice.rest : args;
      const symptom = rest ? findSymptom(rest.split(/\s+/)[0]) : undefined;
      if (!symptom) {
        await respond({ response_type: 'ephemeral', text: symptomList(SYMPTOMS) });
        return;
      }
      await respond({ response_type: 'ephemeral', ...symptomMessage(symptom, choice?.environment) });
    },
  };
}
