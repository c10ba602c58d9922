// The page's two overlays: the open modal (title, blocks, inputs, errors, submit/cancel) and a button's confirm
// dialog. HTML comes from blocks.js (escaped); this file only places it and wires the buttons.
import { escapeHtml, plainText, renderBlocks, textObject } from './blocks.js';

/** What the person typed in the modal, block_id -> action_id -> text, read from the inputs on the page. */
export function readModalValues(root) {
  const values = {};
  for (const input of root.querySelectorAll('[data-element="plain_text_input"], [data-element="users_select"]')) {
    const blockId = input.dataset.blockId;
    values[blockId] = { ...values[blockId], [input.dataset.actionId]: input.value };
  }
  return values;
}

/**
 * Shows `modal` (or nothing). Typing survives re-renders: while the same view is open, what is in the inputs now
 * wins over the stored draft, so a change elsewhere in the workspace never wipes a half-written reason.
 */
export function renderModal(root, modal, ctx, on) {
  if (!modal) {
    root.innerHTML = '';
    return;
  }
  const shown = root.querySelector('[data-view-id]');
  const typed = shown?.dataset.viewId === modal.id ? readModalValues(root) : {};
  const draft = { ...modal.draft, ...typed };
  const notice = modal.notice ? `<div class="sb-modal-notice" role="alert">${escapeHtml(modal.notice)}</div>` : '';
  const submit = modal.submit ? `<button type="button" class="sb-button sb-button-primary" data-modal-submit>${plainText(modal.submit)}</button>` : '';
  root.innerHTML = `<div class="sb-backdrop"><div class="sb-modal" role="dialog" aria-modal="true" aria-labelledby="sb-modal-title" data-view-id="${escapeHtml(modal.id)}"${modal.callbackId ? ` data-callback-id="${escapeHtml(modal.callbackId)}"` : ''}>
    <header class="sb-modal-header"><h2 id="sb-modal-title">${plainText(modal.title)}</h2><span class="sandbox-tag">SANDBOX</span></header>
    <div class="sb-modal-body">${renderBlocks(modal.blocks, { ...ctx, errors: modal.errors, draft })}</div>
    ${notice}
    <footer class="sb-modal-footer"><button type="button" class="sb-button" data-modal-close>${modal.close ? plainText(modal.close) : 'Cancel'}</button>${submit}</footer>
  </div></div>`;
  root.querySelector('[data-modal-close]').addEventListener('click', () => on.close(modal.id));
  root.querySelector('[data-modal-submit]')?.addEventListener('click', () => on.submit(modal.id, readModalValues(root)));
}

/** A button's `confirm` object as Slack's dialog; resolves true when confirmed. */
export function confirmDialog(root, confirm, ctx) {
  const style = confirm.style === 'danger' ? ' sb-button-danger' : ' sb-button-primary';
  root.innerHTML = `<div class="sb-backdrop"><div class="sb-confirm" role="alertdialog" aria-modal="true" aria-labelledby="sb-confirm-title" aria-describedby="sb-confirm-text">
    <h2 id="sb-confirm-title">${plainText(confirm.title ?? { text: 'Are you sure?' })}</h2>
    <div id="sb-confirm-text">${textObject(confirm.text, ctx)}</div>
    <footer><button type="button" class="sb-button" data-confirm-deny>${plainText(confirm.deny ?? { text: 'Cancel' })}</button><button type="button" class="sb-button${style}" data-confirm-ok>${plainText(confirm.confirm ?? { text: 'Yes' })}</button></footer>
  </div></div>`;
  return new Promise((resolve) => {
    const finish = (answer) => {
      root.innerHTML = '';
      resolve(answer);
    };
    root.querySelector('[data-confirm-ok]').addEventListener('click', () => finish(true));
    root.querySelector('[data-confirm-deny]').addEventListener('click', () => finish(false));
    root.querySelector('[data-confirm-ok]').focus();
  });
}
