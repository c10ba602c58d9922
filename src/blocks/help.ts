// Usage text for `/caracal help` and unknown subcommands.
import type { KnownBlock } from '@slack/types';
import { sections } from './limits.ts';
import { escapeMrkdwn, truncate } from './mrkdwn.ts';

export interface UsageEntry {
  usage: string;
  description: string;
}

export function helpMessage(entries: readonly UsageEntry[], unknown?: string): { text: string; blocks: KnownBlock[] } {
  const intro = unknown
    ? `I don't know \`${escapeMrkdwn(truncate(unknown, 40))}\`. Here is what I can do:`
    : 'Caracal recovery bot. Here is what I can do:';
  const lines = entries.map((e) => `\`${e.usage}\`: ${e.description}`);
  return { text: intro, blocks: sections([intro, ...lines].join('\n')) };
}
