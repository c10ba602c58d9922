// The sandbox page: follows the workspace through Server-Sent Events (each ping -> re-fetch /sandbox/state for
// the current person), renders the channel, and turns clicks, checkbox changes, modal submissions, shortcuts and
// the composer into POST /sandbox/interact, which the sandbox sends to the bot as signed Slack requests.
import { escapeHtml, renderBlocks } from './blocks.js';
import { confirmDialog, renderModal } from './dialogs.js';
import { timelineHtml } from './messages.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const page = {
  user: params.get('user') || localStorage.getItem('sandbox.user') || 'U0ALICE',
  channel: params.get('channel') || 'C0INCIDENT',
  /** The app's Home tab instead of a channel. */
  home: params.get('tab') === 'home',
  state: null,
  openThreads: new Set(),
};

function ctx() {
  const users = Object.fromEntries((page.state?.users ?? []).map((u) => [u.id, u.name]));
  if (page.state?.bot) users[page.state.bot.id] = page.state.bot.name;
  return { users, now: Date.now(), shortcuts: page.state?.shortcuts ?? [] };
}

function toast(text) {
  const el = $('toast');
  el.textContent = text;
  el.hidden = !text;
  if (text) setTimeout(() => { if (el.textContent === text) el.hidden = true; }, 6000);
}

async function interact(body) {
  const res = await fetch('/sandbox/interact', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: page.user, ...body }) });
  const ack = await res.json();
  // A refused modal submission shows its errors in the modal itself; everything else that failed is told here.
  if (!ack.ok && ack.error !== 'invalid_input') toast(`The app did not accept that (${ack.error ?? `HTTP ${ack.status}`}).`);
  $('main').dataset.lastAck = String(ack.status);
  return ack;
}

function renderSidebar(s) {
  $('user-switcher').innerHTML = s.users.map((u) => `<option value="${escapeHtml(u.id)}"${u.id === page.user ? ' selected' : ''}>${escapeHtml(`${u.name}${u.approver ? ' (approver)' : ''}`)}</option>`).join('');
  $('user-role').textContent = `${s.me.realName}: ${s.me.approver ? 'approver' : 'not an approver'}`;
  $('user-role').dataset.user = s.me.id;
  $('channel-list').innerHTML = s.channels.map((c) => `<li><button type="button" class="sb-channel${c.id === s.channel.id ? ' sb-current' : ''}" data-channel="${escapeHtml(c.id)}"${c.id === s.channel.id ? ' aria-current="page"' : ''}># ${escapeHtml(c.name)}</button></li>`).join('');
  $('channel-title').textContent = `# ${s.channel.name}`;
}

function render() {
  const s = page.state;
  if (!s) return;
  renderSidebar(s);
  const list = $('messages');
  $('home-button').classList.toggle('sb-current', page.home);
  $('composer').hidden = page.home;
  if (page.home) {
    $('channel-title').textContent = 'Home · Caracal';
    list.innerHTML = s.home
      ? `<article class="sb-home" data-home-view="${escapeHtml(s.home.id)}">${renderBlocks(s.home.blocks, ctx())}</article>`
      : '<p class="sb-empty">The app has not published a Home for you yet.</p>';
  } else {
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.innerHTML = timelineHtml(s, page.openThreads, ctx());
    if (atBottom) list.scrollTop = list.scrollHeight;
  }
  renderModal($('modal-root'), s.modal, ctx(), {
    close: (viewId) => void interact({ type: 'close', viewId }),
    submit: (viewId, values) => void interact({ type: 'submit', viewId, values }),
  });
  document.body.dataset.version = String(s.version);
}

async function refresh() {
  const res = await fetch(`/sandbox/state?user=${encodeURIComponent(page.user)}&channel=${encodeURIComponent(page.channel)}`);
  if (!res.ok) return toast(`Could not load the workspace (HTTP ${res.status}).`);
  page.state = await res.json();
  render();
}

// Several changes arrive together (a report updated in place many times): one re-fetch per burst is enough.
let scheduled = false;
function schedule() {
  if (scheduled) return;
  scheduled = true;
  setTimeout(() => {
    scheduled = false;
    refresh().catch((err) => toast(`Could not load the workspace: ${err.message}`));
  }, 25);
}

async function onButton(button) {
  if (button.closest('[data-home-view]')) {
    const { actionId, blockId, value } = button.dataset;
    await interact({ type: 'homeClick', actionId, blockId, ...(value !== undefined ? { value } : {}) });
    return;
  }
  const article = button.closest('[data-ts]');
  if (!article) return toast('Buttons inside modals are not emulated by the sandbox.');
  if (button.dataset.confirm && !(await confirmDialog($('dialog-root'), JSON.parse(button.dataset.confirm), ctx()))) return;
  const { actionId, blockId, value } = button.dataset;
  await interact({ type: 'click', channel: page.channel, ts: article.dataset.ts, actionId, blockId, ...(value !== undefined ? { value } : {}) });
}

async function onCheckbox(fieldset) {
  const article = fieldset.closest('[data-ts]');
  if (!article) return;
  const selected = [...fieldset.querySelectorAll('input[type="checkbox"]:checked')].map((i) => i.value);
  const { actionId, blockId } = fieldset.dataset;
  await interact({ type: 'click', channel: page.channel, ts: article.dataset.ts, actionId, blockId, selected });
}

document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target.closest('button') : null;
  if (!target) return;
  const d = target.dataset;
  const run = (p) => p.catch((err) => toast(String(err.message ?? err)));
  if (d.element === 'button') return void run(onButton(target));
  if (d.shortcut) {
    target.closest('details')?.removeAttribute('open');
    return void run(interact({ type: 'shortcut', channel: page.channel, ts: target.closest('[data-ts]').dataset.ts, callbackId: d.shortcut }));
  }
  if (d.dismiss) return void run(interact({ type: 'dismiss', ts: d.dismiss }));
  if (d.threadToggle) {
    if (page.openThreads.has(d.threadToggle)) page.openThreads.delete(d.threadToggle);
    else page.openThreads.add(d.threadToggle);
    return render();
  }
  if (d.home) {
    page.home = true;
    history.replaceState(null, '', `?user=${encodeURIComponent(page.user)}&tab=home`);
    return void run(interact({ type: 'home' }).then(refresh));
  }
  if (d.channel) {
    page.home = false;
    page.channel = d.channel;
    history.replaceState(null, '', `?user=${encodeURIComponent(page.user)}&channel=${encodeURIComponent(page.channel)}`);
    return void run(refresh());
  }
});

document.addEventListener('change', (event) => {
  const fieldset = event.target instanceof Element ? event.target.closest('[data-element="checkboxes"]') : null;
  if (fieldset) onCheckbox(fieldset).catch((err) => toast(String(err.message ?? err)));
});

$('user-switcher').addEventListener('change', (event) => {
  page.user = event.target.value;
  localStorage.setItem('sandbox.user', page.user);
  if (page.home) void interact({ type: 'home' });
  history.replaceState(null, '', `?user=${encodeURIComponent(page.user)}&channel=${encodeURIComponent(page.channel)}`);
  refresh().catch((err) => toast(err.message));
});

// The server's limits (page-routes.ts): text over them is refused before the box is cleared, so nothing typed is lost.
const COMMAND_MAX = 4000;
const MESSAGE_MAX = 40000;

$('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('composer-input');
  const text = input.value.trim();
  if (!text) return;
  const command = text.startsWith('/');
  const max = command ? COMMAND_MAX : MESSAGE_MAX;
  if (text.length > max) {
    const n = text.length.toLocaleString('en-US');
    input.setAttribute('aria-invalid', 'true');
    return toast(command
      ? `Not sent: a slash command carries at most 4,000 characters (this one has ${n}). Your text is still in the box: shorten it, or post it as a message and use "Add to incident log" on it (up to 40,000).`
      : `Not sent: a message carries at most 40,000 characters (this one has ${n}). Your text is still in the box.`);
  }
  input.removeAttribute('aria-invalid');
  input.value = '';
  const body = command ? { type: 'command', channel: page.channel, text } : { type: 'message', channel: page.channel, text };
  interact(body)
    .then((ack) => {
      // Refused before reaching anyone: give the text back rather than lose it.
      if (!ack.ok && ack.status === undefined && !input.value) input.value = text;
    })
    .catch((err) => {
      if (!input.value) input.value = text;
      toast(err.message);
    });
});

new EventSource('/sandbox/events').onmessage = schedule;
schedule();

// Other parts of the sandbox (the simulated Caracal's fault panel) can mount a module at GET /sandbox/ext.js with
// addRoute; it may render into #sandbox-panels. The server answers an empty module until then.
import('/sandbox/ext.js').catch((err) => toast(`Sandbox extension failed to load: ${err.message}`));
