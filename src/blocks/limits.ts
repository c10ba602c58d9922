// Slack's Block Kit limits, and packing blocks into messages that respect them. LIMITS is the one table of Slack's
// numbers (docs/slack-platform.md §4): the builders and the egress fit to it, the sandbox's Slack refuses by it.
import type { KnownBlock, SectionBlock } from '@slack/types';
import { splitText, truncate } from './mrkdwn.ts';

export const LIMITS = {
  blocksPerMessage: 50,
  /** A modal or a Home tab. */
  blocksPerView: 100,
  /** A message's top-level `text`: Slack truncates above it and may refuse it (`msg_too_long`). */
  messageText: 40_000,
  /** The `text` we send next to blocks: what notifications show. */
  fallbackText: 3000,
  sectionText: 3000,
  fieldsPerSection: 10,
  fieldText: 2000,
  headerText: 150,
  markdownText: 12_000,
  contextElements: 10,
  actionsElements: 25,
  /** block_id, action_id, callback_id. */
  id: 255,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  optionText: 75,
  optionValue: 150,
  /** checkboxes and radio buttons. */
  optionsPerGroup: 10,
  optionsPerSelect: 100,
  inputLabel: 2000,
  inputValue: 3000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  /** A modal's title, submit and close texts. */
  viewTitle: 24,
  privateMetadata: 3000,
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

// ---- The egress boundary: every message is made to fit before it is sent, never refused for its size. ----

const MAX_CONTINUATIONS = 20;
/** A message without blocks is split into pieces that read well (Slack advises 4,000 characters). */
const TEXT_ONLY_PIECE = 4000;

export interface Message {
  text: string;
  blocks?: KnownBlock[];
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function cutText(obj: unknown, max: number): unknown {
  if (!isObj(obj) || typeof obj.text !== 'string' || obj.text.length <= max) return obj;
  return { ...obj, text: truncate(obj.text, max) };
}

function cutId(obj: Json, key: string): Json {
  const v = obj[key];
  return typeof v === 'string' && v.length > LIMITS.id ? { ...obj, [key]: v.slice(0, LIMITS.id) } : obj;
}

function fitElement(el: unknown): unknown {
  if (!isObj(el)) return el;
  let out = cutId(el, 'action_id');
  if (out.type === 'button') {
    out = { ...out, text: cutText(out.text, LIMITS.buttonText) };
    if (typeof out.value === 'string' && out.value.length > LIMITS.buttonValue)
      out = { ...out, value: out.value.slice(0, LIMITS.buttonValue) };
  }
  if (out.type === 'mrkdwn' || out.type === 'plain_text') out = cutText(out, LIMITS.sectionText) as Json;
  return out;
}

/** One block within Slack's per-block limits: long texts cut with "…", surplus elements dropped. */
export function fitBlock(block: KnownBlock): KnownBlock {
  let b = cutId(block as unknown as Json, 'block_id');
  switch (b.type) {
    case 'section':
      b = { ...b, text: cutText(b.text, LIMITS.sectionText) };
      if (Array.isArray(b.fields))
        b = { ...b, fields: b.fields.slice(0, LIMITS.fieldsPerSection).map((f) => cutText(f, LIMITS.fieldText)) };
      if (b.accessory) b = { ...b, accessory: fitElement(b.accessory) };
      break;
    case 'header':
      b = { ...b, text: cutText(b.text, LIMITS.headerText) };
      break;
    case 'context':
      if (Array.isArray(b.elements)) b = { ...b, elements: b.elements.slice(0, LIMITS.contextElements).map(fitElement) };
      break;
    case 'actions':
      if (Array.isArray(b.elements)) b = { ...b, elements: b.elements.slice(0, LIMITS.actionsElements).map(fitElement) };
      break;
    default:
      break;
  }
  return b as unknown as KnownBlock;
}

/** A section longer than Slack allows becomes several sections carrying the text in full. */
function splitLongSections(blocks: readonly KnownBlock[]): KnownBlock[] {
  return blocks.flatMap((block): KnownBlock[] => {
    if (
      block.type !== 'section' ||
      block.text?.type !== 'mrkdwn' ||
      block.text.text.length <= LIMITS.sectionText ||
      block.fields ||
      block.accessory
    )
      return [block];
    return sections(block.text.text, block.block_id);
  });
}

/** Slack refuses a message with two blocks of one block_id: later ones get a numbered suffix (deterministic). */
function uniqueBlockIds(blocks: readonly KnownBlock[]): KnownBlock[] {
  const seen = new Map<string, number>();
  return blocks.map((b) => {
    if (!b.block_id) return b;
    const n = (seen.get(b.block_id) ?? 0) + 1;
    seen.set(b.block_id, n);
    return n === 1 ? b : { ...b, block_id: `${b.block_id.slice(0, LIMITS.id - 6)}~${n}` };
  });
}

function notice(text: string): KnownBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

/**
 * One message that Slack accepts, for an update in place (a dashboard, a report): long sections split, every
 * block within its limits, at most 50 blocks (the last replaced by a notice that says how many are not shown).
 */
export function fitMessage(msg: Message, moreAt = '`/caracal timeline`'): Message {
  const text = truncate(msg.text, LIMITS.messageText);
  if (!msg.blocks) return { text };
  let blocks = uniqueBlockIds(splitLongSections(msg.blocks).map(fitBlock));
  if (blocks.length > LIMITS.blocksPerMessage) {
    const hidden = blocks.length - (LIMITS.blocksPerMessage - 1);
    blocks = [
      ...blocks.slice(0, LIMITS.blocksPerMessage - 1),
      notice(`… ${hidden} more blocks do not fit in one Slack message; see ${moreAt}.`),
    ];
  }
  return { text, blocks };
}

/**
 * A message for a new post, as one or more messages that Slack accepts: what does not fit in the first goes
 * into continuation messages posted after it (never cut silently), each saying which part it is.
 */
export function splitMessage(msg: Message): Message[] {
  if (!msg.blocks || msg.blocks.length === 0) {
    const pieces = splitText(msg.text, TEXT_ONLY_PIECE).slice(0, MAX_CONTINUATIONS);
    return pieces.map((text, i) => ({ text: i === 0 ? text : `(continued ${i + 1}/${pieces.length}) ${text}` }));
  }
  const blocks = uniqueBlockIds(splitLongSections(msg.blocks).map(fitBlock));
  const per = LIMITS.blocksPerMessage - 1; // one slot for the "continued" notice
  if (blocks.length <= LIMITS.blocksPerMessage) return [{ text: truncate(msg.text, LIMITS.fallbackText), blocks }];
  const chunks: KnownBlock[][] = [];
  for (let i = 0; i < blocks.length && chunks.length < MAX_CONTINUATIONS; i += per) chunks.push(blocks.slice(i, i + per));
  return chunks.map((chunk, i) => ({
    text: truncate(i === 0 ? msg.text : `(continued ${i + 1}/${chunks.length}) ${msg.text}`, LIMITS.fallbackText),
    blocks: i < chunks.length - 1 ? [...chunk, notice(`Continued in the next message (${i + 2}/${chunks.length}).`)] : chunk,
  }));
}
