// Slack's Block Kit limits, and packing blocks into messages that respect them.
import type { KnownBlock, SectionBlock } from '@slack/types';
import { splitText } from './mrkdwn.ts';

export const LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  headerText: 150,
  contextElements: 10,
  buttonValue: 2000,
  buttonText: 75,
  fallbackText: 3000,
} as const;

/** One or more section blocks carrying `text` in full, each within the 3,000-character limit. */
export function sections(text: string, blockIdPrefix?: string): SectionBlock[] {
  return splitText(text, LIMITS.sectionText).map((piece, i) => ({
    type: 'section',
    text: { type: 'mrkdwn', text: piece },
    ...(blockIdPrefix ? { block_id: `${blockIdPrefix}_${i}` } : {}),
  }));
}

export interface PackedMessage {
  blocks: KnownBlock[];
  /** Groups that did not fit, packed into thread replies of at most 50 blocks each. */
  overflow: KnownBlock[][];
}

/**
 * Put `head`, then as many whole groups as fit, then `tail` in the message; the groups that do not fit go to
 * thread replies (never cut silently). `notice(n)` builds the block that says how many moved to the thread.
 */
export function packGroups(
  head: KnownBlock[],
  groups: KnownBlock[][],
  tail: KnownBlock[],
  notice: (movedCount: number) => KnownBlock,
): PackedMessage {
  const max = LIMITS.blocksPerMessage;
  const room = max - head.length - tail.length;
  const total = groups.reduce((n, g) => n + g.length, 0);
  if (total <= room) return { blocks: [...head, ...groups.flat(), ...tail], overflow: [] };
  const kept: KnownBlock[] = [];
  let i = 0;
  for (; i < groups.length; i++) {
    const g = groups[i];
    if (kept.length + g.length > room - 1) break; // keep one slot for the notice
    kept.push(...g);
  }
  const moved = groups.slice(i);
  const overflow: KnownBlock[][] = [];
  let current: KnownBlock[] = [];
  for (const g of moved) {
    for (const block of g) {
      if (current.length === max) {
        overflow.push(current);
        current = [];
      }
      current.push(block);
    }
  }
  if (current.length > 0) overflow.push(current);
  return { blocks: [...head, ...kept, notice(moved.length), ...tail], overflow };
}
