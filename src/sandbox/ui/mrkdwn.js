// Slack mrkdwn -> HTML, minimal and safe. Everything that is not markup the page itself writes is HTML-escaped
// before any formatting is applied, so text from the bot, from Caracal or from a person can never become HTML.
// Pure functions (no `document`), so vitest can import this file directly.

/** The shortcodes the bot uses, as Unicode. Unknown shortcodes stay as text, as Slack shows unknown emoji names. */
export const EMOJI = {
  white_check_mark: '✅', warning: '⚠️', x: '❌', boom: '💥', hourglass_flowing_sand: '⏳', hourglass: '⌛',
  lock: '🔒', arrow_forward: '▶️', rotating_light: '🚨', memo: '📝', raising_hand: '🙋', mag: '🔍',
  ballot_box_with_check: '☑️', white_square: '⬜', heavy_check_mark: '✔️', no_entry_sign: '🚫', no_entry: '⛔',
  tada: '🎉', thread: '🧵', stopwatch: '⏱️', test_tube: '🧪', wrench: '🔧',
};

export function escapeHtml(value) {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Slack escapes only &, < and > in mrkdwn; show them as the characters they stand for (then escape for HTML). */
function unslack(s) {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

const text = (s) => escapeHtml(unslack(s));

export function emojify(html) {
  return html.replace(/:([a-z0-9_+-]+):/g, (whole, name) => (Object.hasOwn(EMOJI, name) ? EMOJI[name] : whole));
}

const pad = (n) => String(n).padStart(2, '0');

function ago(seconds, now) {
  const diff = Math.round(now / 1000 - seconds);
  const future = diff < 0;
  const s = Math.abs(diff);
  const [n, unit] = s < 45 ? [0, ''] : s < 3600 ? [Math.max(1, Math.round(s / 60)), 'minute'] : s < 86400 ? [Math.round(s / 3600), 'hour'] : [Math.round(s / 86400), 'day'];
  if (n === 0) return future ? 'in a few seconds' : 'a few seconds ago';
  const span = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return future ? `in ${span}` : `${span} ago`;
}

function pretty(d, now, fallback) {
  const day = (x) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const delta = Math.round((day(d) - day(new Date(now))) / 86400000);
  return delta === 0 ? 'Today' : delta === -1 ? 'Yesterday' : delta === 1 ? 'Tomorrow' : fallback;
}

/** `<!date^seconds^format|fallback>` tokens, in the reader's local time zone like Slack. */
export function formatDate(seconds, format, now = Date.now()) {
  const d = new Date(seconds * 1000);
  const date = d.toLocaleDateString(undefined, { year: 'numeric', month: 'long', day: 'numeric' });
  const dateShort = d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
  const dateLong = d.toLocaleDateString(undefined, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
  const tokens = {
    date_num: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
    date, date_short: dateShort, date_long: dateLong,
    date_pretty: pretty(d, now, date), date_short_pretty: pretty(d, now, dateShort), date_long_pretty: pretty(d, now, dateLong),
    time: `${pad(d.getHours())}:${pad(d.getMinutes())}`,
    time_secs: `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`,
    ago: ago(seconds, now),
  };
  return format.replace(/\{([a-z_]+)\}/g, (whole, name) => (Object.hasOwn(tokens, name) ? tokens[name] : whole));
}

const SAFE_URL = /^(https?:\/\/|mailto:)/i;

/** One `<…>` control sequence: mention, channel, special mention, date or link. Anything else stays visible text. */
function control(inner, ctx) {
  const [target, label] = splitOnce(inner, '|');
  if (target.startsWith('@')) {
    const id = target.slice(1);
    const name = (ctx.users && Object.hasOwn(ctx.users, id) ? ctx.users[id] : undefined) ?? label ?? id;
    return `<span class="mention" data-user="${escapeHtml(id)}">@${text(name)}</span>`;
  }
  if (target.startsWith('#')) return `<span class="mention channel" data-channel="${escapeHtml(target.slice(1))}">#${text(label ?? target.slice(1))}</span>`;
  if (target.startsWith('!date^')) {
    const [, seconds, format] = target.split('^');
    const n = Number(seconds);
    if (!Number.isFinite(n)) return text(label ?? inner);
    const when = formatDate(n, format ?? '{date_short} {time}', ctx.now ?? Date.now());
    return `<time datetime="${escapeHtml(new Date(n * 1000).toISOString())}" title="${text(label ?? '')}">${escapeHtml(when)}</time>`;
  }
  if (target.startsWith('!subteam^')) return `<span class="mention">${text(label ?? '@group')}</span>`;
  if (target.startsWith('!')) return `<span class="mention">@${text(target.slice(1))}</span>`;
  const url = unslack(target);
  if (SAFE_URL.test(url)) return `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${text(label ?? target)}</a>`;
  return text(`<${inner}>`);
}

function splitOnce(s, sep) {
  const i = s.indexOf(sep);
  return i === -1 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

/** Plain text with control sequences, emoji and *bold* _italic_ ~strike~. */
function span(raw, ctx) {
  const parts = [];
  const withHoles = raw.replace(/<([^<>\n]*)>/g, (_, inner) => `\uE000${parts.push(control(inner, ctx)) - 1}\uE001`);
  let html = emojify(text(withHoles));
  html = html.replace(/(^|[^\w*])\*(?=\S)([^*\n]*?\S)\*(?!\w)/g, '$1<b>$2</b>');
  html = html.replace(/(^|[^\w_])_(?=\S)([^_\n]*?\S)_(?!\w)/g, '$1<i>$2</i>');
  html = html.replace(/(^|[^\w~])~(?=\S)([^~\n]*?\S)~(?!\w)/g, '$1<s>$2</s>');
  return html.replace(/\uE000(\d+)\uE001/g, (_, i) => parts[Number(i)]);
}

/** One line: inline `code` is taken out first, so nothing inside it is formatted. */
function line(raw, ctx) {
  return raw.split(/(`[^`\n]+`)/).map((piece) => (/^`[^`\n]+`$/.test(piece) ? `<code>${text(piece.slice(1, -1))}</code>` : span(piece, ctx))).join('');
}

/** Lines, with `>` quote lines grouped into one blockquote. */
function lines(raw, ctx) {
  const out = [];
  let quote = [];
  const flush = () => {
    if (quote.length) out.push(`<blockquote>${quote.join('<br>')}</blockquote>`);
    quote = [];
  };
  for (const l of raw.split('\n')) {
    const q = /^(>|&gt;)\s?/.exec(l);
    if (q) {
      quote.push(line(l.slice(q[0].length), ctx));
      continue;
    }
    flush();
    out.push(line(l, ctx), '<br>');
  }
  flush();
  if (out[out.length - 1] === '<br>') out.pop();
  return out.join('').replace(/<br>(<blockquote>)/g, '$1');
}

/** ctx: { users: {U…: name}, now: ms }. */
export function mrkdwn(source, ctx = {}) {
  const src = String(source ?? '').replace(/[\uE000\uE001]/g, '');
  return src
    .split(/(```[\s\S]*?```)/)
    .map((piece) => (/^```[\s\S]*```$/.test(piece) && piece.length >= 6 ? `<pre class="code-block">${text(piece.slice(3, -3).replace(/^\n/, ''))}</pre>` : lines(piece, ctx)))
    .join('');
}

/** A plain_text object: escaped, with emoji shortcodes unless `emoji: false`. */
export function plainText(obj) {
  const html = escapeHtml(obj?.text ?? '');
  return obj?.emoji === false ? html : emojify(html);
}
