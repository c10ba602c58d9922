// Text helpers at the builder boundary: escaping user and target text, and Slack's length limits.

/**
 * Escape text for mrkdwn: only &, < and > (Slack's rule). This makes `<!channel>`, `<@U…>` and `<http://x|y>`
 * from users or from Caracal's answers inert.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Escape user text but keep the user mentions Slack put in it (`<@U…>` or `<@U…|name>`, from an escaped slash
 * command or a copied message): a note that names a person should notify them. Nothing else survives: no
 * `<!channel>`, no `<!subteam^…>`, no links.
 */
export function escapeKeepingUserMentions(text: string): string {
  return escapeMrkdwn(text).replace(/&lt;@([UW][A-Z0-9]{2,20})(?:\|[^&<>]{0,80})?&gt;/g, '<@$1>');
}

/** Cut to `max` characters with an ellipsis, for fields that are repeated in full elsewhere (fallback text, titles). */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * Split text into pieces of at most `max` characters, preferring line breaks, so long text is carried
 * over several blocks instead of being cut. Never splits an escape sequence like `&amp;`.
 */
export function splitText(text: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    if (cut < max / 2) cut = rest.lastIndexOf(' ', max);
    if (cut < max / 2) cut = max;
    const amp = rest.lastIndexOf('&', cut);
    if (amp !== -1 && amp > cut - 6 && rest.indexOf(';', amp) >= cut) cut = amp;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^\n/, '');
  }
  if (rest.length > 0 || pieces.length === 0) pieces.push(rest);
  return pieces;
}

/** Slack date token: shows in each reader's time zone, with a UTC fallback. */
export function slackDate(iso: string, format = '{date_short_pretty} {time_secs}'): string {
  const seconds = Math.floor(new Date(iso).getTime() / 1000);
  return `<!date^${seconds}^${format}|${iso.replace('T', ' ').slice(0, 19)} UTC>`;
}
