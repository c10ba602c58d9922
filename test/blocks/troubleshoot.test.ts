// Every symptom of the runbook's table gets a "Run these checks" button whose value reads back as that symptom:
// the payload's symptom ids come from the table itself, so a symptom added there is never refused by the button.
import { describe, expect, it } from 'vitest';
import { decodePayload, symptomButtonPayload } from '../../src/blocks/payloads.ts';
import { symptomMessage } from '../../src/blocks/troubleshoot.ts';
import { findSymptom, SYMPTOMS } from '../../src/troubleshoot/symptoms.ts';

function buttonValue(blocks: ReturnType<typeof symptomMessage>['blocks']): string | undefined {
  for (const b of blocks) if (b.type === 'actions') for (const e of b.elements) if (e.type === 'button') return e.value;
  return undefined;
}

describe('troubleshooting cards', () => {
  it.each(SYMPTOMS.map((s) => [s.id, s] as const))(
    '%s: the button reads back as its symptom, with and without an environment',
    (id, symptom) => {
      expect(decodePayload(symptomButtonPayload, buttonValue(symptomMessage(symptom).blocks))).toEqual({ v: 1, symptom: id });
      expect(decodePayload(symptomButtonPayload, buttonValue(symptomMessage(symptom, 'prod').blocks))).toEqual({
        v: 2,
        symptom: id,
        env: 'prod',
      });
      expect(findSymptom(id.toUpperCase())).toBe(symptom);
    },
  );
});
