// `/caracal troubleshoot [symptom]`: the runbook's troubleshooting table, each symptom with its checks.
import { symptomList, symptomMessage } from '../blocks/troubleshoot.ts';
import { findSymptom, SYMPTOMS } from '../troubleshoot/symptoms.ts';
import type { Subcommand } from './types.ts';

export function troubleshootCommand(): Subcommand {
  return {
    name: 'troubleshoot',
    usage: '/caracal troubleshoot [symptom]',
    description: 'symptom → the checks and actions that tell the cause (fail-closed, duplicates, rollback).',
    async handle({ args, respond }) {
      const symptom = args ? findSymptom(args.split(/\s+/)[0]) : undefined;
      if (!symptom) {
        await respond({ response_type: 'ephemeral', text: symptomList(SYMPTOMS) });
        return;
      }
      await respond({ response_type: 'ephemeral', ...symptomMessage(symptom) });
    },
  };
}
