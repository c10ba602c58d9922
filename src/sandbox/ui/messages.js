// The channel timeline as HTML: messages (from their Block Kit, or their text), threads with "N replies",
// ephemeral messages ("Only visible to you"), and the "…" menu with the message shortcuts. Pure functions.
import { escapeHtml, mrkdwn, renderBlocks } from './blocks.js';

function clock(ts) {
  const d = new Date(Number(ts) * 1000);
  return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

function menu(m, shortcuts) {
  if (m.ephemeral) return `<button type="button" class="sb-link" data-dismiss="${escapeHtml(m.ts)}">Dismiss</button>`;
  const items = shortcuts.map((s) => `<button type="button" role="menuitem" data-shortcut="${escapeHtml(s.callbackId)}">${escapeHtml(s.name)}</button>`).join('');
  return `<details class="sb-menu"><summary aria-label="More actions" title="More actions">…</summary><div role="menu">${items}</div></details>`;
}

export function messageHtml(m, ctx) {
  const body = Array.isArray(m.blocks) && m.blocks.length > 0 ? renderBlocks(m.blocks, ctx) : `<div class="sb-text">${mrkdwn(m.text, ctx)}</div>`;
  const badges = [
    m.isBot && m.author !== 'Slackbot' ? '<span class="sb-badge">APP</span>' : '',
    '<span class="sandbox-tag">SANDBOX</span>',
    m.edited ? '<span class="sb-edited">(edited)</span>' : '',
    m.ephemeral ? '<span class="sb-only-you">Only visible to you</span>' : '',
  ].join('');
  return `<article class="sb-message${m.ephemeral ? ' sb-ephemeral' : ''}" data-ts="${escapeHtml(m.ts)}" data-author="${escapeHtml(m.author)}"${m.ephemeral ? ' data-ephemeral="true"' : ''} aria-label="${escapeHtml(`${m.ephemeral ? 'Only visible to you: ' : ''}message from ${m.author}`)}">
    <div class="sb-meta"><span class="sb-author">${escapeHtml(m.author)}</span>${badges}<time class="sb-time">${escapeHtml(clock(m.ts))}</time>${menu(m, ctx.shortcuts ?? [])}</div>
    <div class="sb-body">${body}</div>
  </article>`;
}

const byTs = (a, b) => Number(a.ts) - Number(b.ts);

/**
 * The timeline: top-level messages and this person's top-level ephemerals, by time; threads under their parent,
 * expanded when `openThreads` has the parent's ts.
 */
export function timelineHtml(state, openThreads, ctx) {
  const ephemerals = state.ephemerals ?? [];
  const top = [...state.messages, ...ephemerals.filter((e) => !e.threadTs)].sort(byTs);
  if (top.length === 0) return '<p class="sb-empty">No messages yet. Try <code>/caracal status</code> below.</p>';
  return top
    .map((m) => {
      if (m.ephemeral) return messageHtml(m, ctx);
      const replies = [...(m.replies ?? []), ...ephemerals.filter((e) => e.threadTs === m.ts)].sort(byTs);
      if (replies.length === 0) return messageHtml(m, ctx);
      const open = openThreads.has(m.ts);
      const count = m.replies.length;
      const label = `${count} ${count === 1 ? 'reply' : 'replies'}`;
      const toggle = `<button type="button" class="sb-thread-toggle" data-thread-toggle="${escapeHtml(m.ts)}" aria-expanded="${open}">${label}</button>`;
      const thread = open ? `<div class="sb-thread" data-thread="${escapeHtml(m.ts)}" role="list" aria-label="Thread">${replies.map((r) => messageHtml(r, ctx)).join('')}</div>` : '';
      return `<div class="sb-with-thread">${messageHtml(m, ctx)}${toggle}${thread}</div>`;
    })
    .join('');
}
