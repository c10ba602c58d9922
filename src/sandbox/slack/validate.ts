// Block Kit validation with Slack's limits (docs/slack-platform.md §4, the numbers in blocks/limits.ts), so a message
// the real Slack would refuse is refused here too, with Slack's error code and a json-pointer message in `errors`
// like Slack's answers.
import { LIMITS } from '../../blocks/limits.ts';
import { isObject, objects, parseJsonField, str, textOf, type JsonObject } from './json.ts';

export type Surface = 'message' | 'modal' | 'home';

export interface Invalid {
  error: string;
  errors: string[];
}

const MAX_BLOCKS: Record<Surface, number> = { message: LIMITS.blocksPerMessage, modal: LIMITS.blocksPerView, home: LIMITS.blocksPerView };

/** `blocks` as sent: a JSON string (form bodies) or an array (JSON bodies). Undefined when absent. */
export function parseBlocks(raw: unknown): JsonObject[] | Invalid | undefined {
  const value = typeof raw === 'string' ? parseJsonField(raw) : raw;
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every(isObject))
    return { error: 'invalid_blocks_format', errors: ['blocks must be a JSON array of objects'] };
  return value;
}

export function isInvalid(value: unknown): value is Invalid {
  return isObject(value) && typeof value.error === 'string' && Array.isArray(value.errors);
}

class Problems {
  readonly list: string[] = [];
  max(text: string | undefined, limit: number, pointer: string): void {
    if (text !== undefined && text.length > limit) this.list.push(`must be less than ${limit + 1} characters [json-pointer:${pointer}]`);
  }
  need(ok: boolean, what: string, pointer: string): void {
    if (!ok) this.list.push(`${what} [json-pointer:${pointer}]`);
  }
}

function checkConfirm(confirm: unknown, p: Problems, at: string): void {
  if (confirm === undefined) return;
  if (!isObject(confirm)) return p.need(false, 'confirm must be an object', at);
  p.max(textOf(confirm.title), LIMITS.confirmTitle, `${at}/title/text`);
  p.max(textOf(confirm.text), LIMITS.confirmText, `${at}/text/text`);
  p.max(textOf(confirm.confirm), LIMITS.confirmButton, `${at}/confirm/text`);
  p.max(textOf(confirm.deny), LIMITS.confirmButton, `${at}/deny/text`);
}

function checkElement(el: JsonObject, p: Problems, at: string): void {
  p.need(typeof el.type === 'string', 'missing required field: type', at);
  p.max(str(el.action_id), LIMITS.id, `${at}/action_id`);
  if (el.type === 'button') {
    p.need(textOf(el.text) !== undefined, 'missing required field: text', at);
    p.max(textOf(el.text), LIMITS.buttonText, `${at}/text/text`);
    p.max(str(el.value), LIMITS.buttonValue, `${at}/value`);
    p.max(str(el.url), LIMITS.buttonUrl, `${at}/url`);
    p.need(el.style === undefined || el.style === 'primary' || el.style === 'danger', 'must be one of primary, danger', `${at}/style`);
  }
  if (el.type === 'checkboxes' || el.type === 'radio_buttons' || el.type === 'static_select') {
    const options = objects(el.options);
    p.need(
      options.length >= 1 && options.length <= (el.type === 'static_select' ? LIMITS.optionsPerSelect : LIMITS.optionsPerGroup),
      'wrong number of options',
      `${at}/options`,
    );
    options.forEach((o, i) => {
      p.max(textOf(o.text), LIMITS.optionText, `${at}/options/${i}/text/text`);
      p.max(str(o.value), LIMITS.optionValue, `${at}/options/${i}/value`);
    });
  }
  if (el.type === 'plain_text_input') p.max(str(el.initial_value), LIMITS.inputValue, `${at}/initial_value`);
  checkConfirm(el.confirm, p, `${at}/confirm`);
}

function checkBlock(block: JsonObject, p: Problems, at: string): void {
  const text = textOf(block.text);
  switch (block.type) {
    case 'section': {
      const fields = Array.isArray(block.fields) ? objects(block.fields) : undefined;
      p.need(text !== undefined || (fields?.length ?? 0) > 0, 'must provide either text or fields', at);
      p.max(text, LIMITS.sectionText, `${at}/text/text`);
      if (fields) p.need(fields.length <= LIMITS.fieldsPerSection, `no more than ${LIMITS.fieldsPerSection} items allowed`, `${at}/fields`);
      fields?.forEach((f, i) => p.max(textOf(f), LIMITS.fieldText, `${at}/fields/${i}/text`));
      if (isObject(block.accessory)) checkElement(block.accessory, p, `${at}/accessory`);
      return;
    }
    case 'header':
      p.need(
        isObject(block.text) && block.text.type === 'plain_text' && text !== undefined,
        'text must be a plain_text object',
        `${at}/text`,
      );
      return p.max(text, LIMITS.headerText, `${at}/text/text`);
    case 'markdown':
      return p.max(str(block.text), LIMITS.markdownText, `${at}/text`);
    case 'context': {
      const n = objects(block.elements).length;
      return p.need(n >= 1 && n <= LIMITS.contextElements, `must have between 1 and ${LIMITS.contextElements} elements`, `${at}/elements`);
    }
    case 'actions': {
      const elements = objects(block.elements);
      p.need(
        elements.length >= 1 && elements.length <= LIMITS.actionsElements,
        `must have between 1 and ${LIMITS.actionsElements} elements`,
        `${at}/elements`,
      );
      const ids = new Set<string>();
      return elements.forEach((el, i) => {
        const id = str(el.action_id);
        if (id !== undefined) p.need(!ids.has(id), `duplicate action_id ${JSON.stringify(id)}`, `${at}/elements/${i}/action_id`);
        if (id !== undefined) ids.add(id);
        checkElement(el, p, `${at}/elements/${i}`);
      });
    }
    case 'input':
      p.need(textOf(block.label) !== undefined, 'missing required field: label', at);
      p.max(textOf(block.label), LIMITS.inputLabel, `${at}/label/text`);
      p.need(isObject(block.element), 'missing required field: element', at);
      if (isObject(block.element)) checkElement(block.element, p, `${at}/element`);
      return;
    default:
      p.need(typeof block.type === 'string', 'missing required field: type', at);
  }
}

/** Slack's answer to a list of blocks on a surface, or undefined when Slack would accept it. */
export function checkBlocks(blocks: readonly JsonObject[], surface: Surface): Invalid | undefined {
  const p = new Problems();
  const max = MAX_BLOCKS[surface];
  p.need(blocks.length <= max, `no more than ${max} items allowed`, '/blocks');
  const seen = new Set<string>();
  blocks.forEach((block, i) => {
    const id = str(block.block_id);
    if (id !== undefined) {
      p.max(id, LIMITS.id, `/blocks/${i}/block_id`);
      p.need(!seen.has(id), `duplicate block_id ${JSON.stringify(id)}`, `/blocks/${i}/block_id`);
      seen.add(id);
    }
    checkBlock(block, p, `/blocks/${i}`);
  });
  return p.list.length ? { error: 'invalid_blocks', errors: p.list } : undefined;
}

/** A modal or Home view: Slack answers view problems with `invalid_arguments`, block problems with `invalid_blocks`. */
export function checkView(view: unknown, surface: 'modal' | 'home'): Invalid | undefined {
  if (!isObject(view)) return { error: 'invalid_arguments', errors: ['view must be a JSON object [json-pointer:/view]'] };
  const p = new Problems();
  p.need(view.type === surface, `type must be ${surface}`, '/view/type');
  const blocks = objects(view.blocks);
  p.need(Array.isArray(view.blocks), 'missing required field: blocks', '/view');
  if (surface === 'modal') {
    p.need(textOf(view.title) !== undefined, 'missing required field: title', '/view');
    p.max(textOf(view.title), LIMITS.viewTitle, '/view/title/text');
    p.max(textOf(view.submit), LIMITS.viewTitle, '/view/submit/text');
    p.max(textOf(view.close), LIMITS.viewTitle, '/view/close/text');
    const hasInput = blocks.some((b) => b.type === 'input');
    p.need(!hasInput || view.submit !== undefined, 'submit is required when an input block is present', '/view/submit');
  }
  p.max(str(view.private_metadata), LIMITS.privateMetadata, '/view/private_metadata');
  p.max(str(view.callback_id), LIMITS.id, '/view/callback_id');
  if (p.list.length) return { error: 'invalid_arguments', errors: p.list };
  return checkBlocks(blocks, surface);
}
