// Block Kit -> HTML for the sandbox page.
//
// Why not slack-blocks-to-jsx (the maintained Block Kit renderer the brief prefers): it is a React component
// library written in JSX with Tailwind styles, so the page would need React, react-dom and a bundler (or a CDN),
// and the page must work with no build step and no network. It also has no hook for interactions: its buttons
// only open `url`s or show their confirm dialog, and its checkboxes keep their state inside React, so a click could
// not become a block_actions request without patching the library. Rendering it on the server with
// renderToStaticMarkup would give HTML without the block_id/value the page needs to send clicks. The bot uses
// six block types and three element types, so a small renderer we control is the better fit.
//
// Output is an HTML string built only from escaped values (see mrkdwn.js); no `document` here, so vitest imports it.
// Every interactive element carries data-* attributes (data-action-id, data-block-id, data-value, data-confirm)
// that the page reads to send the click, and that browser tests use as stable selectors.
// Unknown block and element types are shown as their raw JSON, never dropped.
import { emojify, escapeHtml, mrkdwn, plainText } from './mrkdwn.js';

export { EMOJI, escapeHtml, formatDate, mrkdwn, plainText } from './mrkdwn.js';

/** A text object: mrkdwn or plain_text. */
export function textObject(obj, ctx = {}) {
  if (!obj || typeof obj !== 'object') return '';
  return obj.type === 'mrkdwn' ? mrkdwn(obj.text, ctx) : plainText(obj);
}

export function rawJson(value, kind) {
  return `<pre class="raw-json" data-raw="${escapeHtml(kind)}" title="Not rendered by the sandbox: shown as JSON">${escapeHtml(JSON.stringify(value, null, 2))}</pre>`;
}

const attr = (name, value) => (value === undefined || value === null ? '' : ` ${name}="${escapeHtml(typeof value === 'string' ? value : JSON.stringify(value))}"`);

function button(el, block) {
  const style = el.style === 'primary' || el.style === 'danger' ? ` sb-button-${el.style}` : '';
  const label = el.text?.text ?? '';
  return `<button type="button" class="sb-button${style}" data-element="button"${attr('data-action-id', el.action_id)}${attr('data-block-id', block.block_id)}${attr('data-value', el.value)}${attr('data-url', el.url)}${attr('data-confirm', el.confirm)}${attr('aria-label', el.accessibility_label ?? label)}>${plainText(el.text)}</button>`;
}

function checkboxes(el, block, ctx) {
  const initial = new Set((el.initial_options ?? []).map((o) => o.value));
  const options = (el.options ?? []).map((o) => {
    const description = o.description ? `<span class="sb-option-description">${textObject(o.description, ctx)}</span>` : '';
    return `<label class="sb-option"><input type="checkbox"${attr('value', o.value)}${initial.has(o.value) ? ' checked' : ''}><span class="sb-option-text">${textObject(o.text, ctx)}${description}</span></label>`;
  });
  return `<fieldset class="sb-checkboxes" data-element="checkboxes"${attr('data-action-id', el.action_id)}${attr('data-block-id', block.block_id)}${attr('data-confirm', el.confirm)}${attr('aria-label', el.action_id)}>${options.join('')}</fieldset>`;
}

function textInput(el, block, ctx) {
  const typed = ctx.draft?.[block.block_id]?.[el.action_id];
  const value = typed ?? el.initial_value ?? '';
  const common = `class="sb-input" data-element="plain_text_input"${attr('id', `input-${block.block_id}`)}${attr('data-action-id', el.action_id)}${attr('data-block-id', block.block_id)}${attr('placeholder', el.placeholder?.text)}${attr('minlength', el.min_length)}${attr('maxlength', el.max_length)}${ctx.errors?.[block.block_id] ? ' aria-invalid="true"' : ''}`;
  return el.multiline ? `<textarea ${common} rows="4">${escapeHtml(value)}</textarea>` : `<input type="text" ${common}${attr('value', value)}>`;
}

/** A users_select: the workspace's people (ctx.users), the picked id in data-element for readModalValues. */
function usersSelect(el, block, ctx) {
  const picked = ctx.draft?.[block.block_id]?.[el.action_id] ?? el.initial_user ?? '';
  const options = Object.entries(ctx.users ?? {}).filter(([id]) => /^[UW]/.test(id)).map(([id, name]) => `<option${attr('value', id)}${id === picked ? ' selected' : ''}>${escapeHtml(name)}</option>`);
  return `<select class="sb-input" data-element="users_select"${attr('id', `input-${block.block_id}`)}${attr('data-action-id', el.action_id)}${attr('data-block-id', block.block_id)}${ctx.errors?.[block.block_id] ? ' aria-invalid="true"' : ''}><option value="">${escapeHtml(el.placeholder?.text ?? 'Pick a person')}</option>${options.join('')}</select>`;
}

const ELEMENTS = { button, checkboxes, plain_text_input: textInput, users_select: usersSelect };

export function renderElement(el, block, ctx = {}) {
  const render = el && Object.hasOwn(ELEMENTS, el.type) ? ELEMENTS[el.type] : undefined;
  return render ? render(el, block, ctx) : rawJson(el, 'element');
}

const BLOCKS = {
  header: (b) => `<h3 class="sb-header">${plainText(b.text)}</h3>`,
  divider: () => '<hr class="sb-divider">',
  section: (b, ctx) => {
    const text = b.text ? `<div class="sb-text">${textObject(b.text, ctx)}</div>` : '';
    const fields = Array.isArray(b.fields) ? `<div class="sb-fields">${b.fields.map((f) => `<div class="sb-field">${textObject(f, ctx)}</div>`).join('')}</div>` : '';
    const accessory = b.accessory ? `<div class="sb-accessory">${renderElement(b.accessory, b, ctx)}</div>` : '';
    return `<div class="sb-section-main">${text}${fields}</div>${accessory}`;
  },
  context: (b, ctx) => b.elements.map((e) => (e.type === 'mrkdwn' || e.type === 'plain_text' ? `<span class="sb-context-text">${textObject(e, ctx)}</span>` : renderElement(e, b, ctx))).join(''),
  actions: (b, ctx) => b.elements.map((e) => renderElement(e, b, ctx)).join(''),
  input: (b, ctx) => {
    const error = ctx.errors?.[b.block_id];
    const optional = b.optional ? ' <span class="sb-optional">(optional)</span>' : '';
    return [
      `<label class="sb-label"${attr('for', `input-${b.block_id}`)}>${plainText(b.label)}${optional}</label>`,
      renderElement(b.element, b, ctx),
      b.hint ? `<div class="sb-hint">${plainText(b.hint)}</div>` : '',
      error ? `<div class="sb-input-error" role="alert">${emojify(escapeHtml(error))}</div>` : '',
    ].join('');
  },
};

export function renderBlock(block, ctx = {}) {
  const render = block && Object.hasOwn(BLOCKS, block.type) ? BLOCKS[block.type] : undefined;
  let inner;
  try {
    inner = render ? render(block, ctx) : rawJson(block, 'block');
  } catch {
    inner = rawJson(block, 'block'); // a malformed block is still shown, as JSON
  }
  const type = typeof block?.type === 'string' ? block.type : 'unknown';
  return `<div class="sb-block sb-${escapeHtml(type)}" data-block-type="${escapeHtml(type)}"${attr('data-block-id', block?.block_id)}>${inner}</div>`;
}

/** ctx: { users: {U…: name}, now, errors: {block_id: message}, draft: {block_id: {action_id: text}} }. */
export function renderBlocks(blocks, ctx = {}) {
  return (Array.isArray(blocks) ? blocks : []).map((b) => renderBlock(b, ctx)).join('');
}
