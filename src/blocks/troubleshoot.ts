// `/caracal troubleshoot`: the symptom list, or one symptom's explanation with a button to run its checks.
import type { KnownBlock } from '@slack/types';
import { findAction } from '../remediation/registry.ts';
import type { Symptom } from '../troubleshoot/symptoms.ts';
import { ACTION } from './ids.ts';
import { sections } from './limits.ts';
import { escapeMrkdwn } from './mrkdwn.ts';
import { encodePayload, symptomButtonPayload } from './payloads.ts';

export function symptomList(symptoms: readonly Symptom[]): string {
  return ['*Troubleshooting* (the runbook’s symptoms):', ...symptoms.map((s) => `\`/caracal troubleshoot ${s.id}\`: ${s.title}`)].join(
    '\n',
  );
}

/** `environment`: the deployment "Run these checks" checks (named in the card and carried in the button). */
export function symptomMessage(s: Symptom, environment?: string): { text: string; blocks: KnownBlock[] } {
  const actions = s.actions.map((id) => findAction(id)?.title).filter((t): t is string => Boolean(t));
  const text = [
    `*${s.title}*`,
    s.explanation,
    `*Checks:* ${s.checks.map((c) => `\`${c}\``).join(', ')}`,
    actions.length ? `*Actions* (on the recovery run's gates): ${actions.join('; ')}` : '',
    environment ? `*Environment:* \`${escapeMrkdwn(environment)}\`` : '',
  ]
    .filter(Boolean)
    .join('\n');
  const value = encodePayload(symptomButtonPayload, environment ? { v: 2, symptom: s.id, env: environment } : { v: 1, symptom: s.id });
  return {
    text: s.title,
    blocks: [
      ...sections(text),
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: ACTION.troubleshootRun,
            style: 'primary',
            text: { type: 'plain_text', text: 'Run these checks' },
            value,
          },
        ],
      },
    ],
  };
}
