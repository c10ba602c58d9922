// The one scrubber of secrets: every text that leaves for Slack, every stored event payload, every log line and
// every check result passes it. Value-based (catches a configured secret wherever it appears: messages, error
// text, URLs, JSON) plus pattern-based for credentials the bot never configured but a target may echo back
// (an `Authorization: Bearer …` header in an error page, a Slack token).

export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are not scrubbed (they would match ordinary text); config rejects nothing shorter in practice. */
const MIN_SECRET_LENGTH = 4;
/** A secret cut short (an error body shortened by a target or a proxy) still leaks: its first characters are enough to match. */
const MIN_PREFIX = 8;

/** Header echoes and bearer-looking credentials, whatever their value. */
const PATTERNS: readonly RegExp[] = [
  // `Authorization: Bearer abc`, `"authorization":"Basic abc"`, `x-api-key=abc`, `Cookie: a=b; c=d`; not a shell
  // variable reference or placeholder such as `Bearer $CARACAL_COORDINATOR_TOKEN` or `<CARACAL_COORDINATOR_TOKEN>`, which is advice, not a credential.
  /((?:proxy-)?authorization|x-api-key|x-auth-token|api[-_]?key|cookie|set-cookie)(["']?\s*[:=]\s*["']?)(?!(?:(?:bearer|basic|token)\s+)?(?:\$\{?[A-Z][A-Z0-9_]*\}?|<[A-Z][A-Z0-9_]*>)(?=[\s"',;&).]|$))(?:(?:bearer|basic|token)\s+)?[^\s"',;&]+(?:;\s*[^\s"',;&]+)*/gi,
  /\b(bearer)(\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  // Slack tokens (bot, user, app, refresh, config) and signing-secret-shaped hex never belong in a message.
  /\b()()xox[abeoprs]-[A-Za-z0-9-]{8,}/g,
  /\b()()xapp-[A-Za-z0-9-]{8,}/g,
];

function forms(secret: string): string[] {
  return [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)];
}

/** A secret as it may appear, and whether a prefix of it counts (see scrubValue). */
interface SecretForm {
  value: string;
  wholeOnly: boolean;
}

/**
 * Replace every occurrence of `secret`, and of any prefix of it of at least MIN_PREFIX characters unless it is
 * matched whole only.
 */
function scrubValue(text: string, { value: secret, wholeOnly }: SecretForm): string {
  if (wholeOnly || secret.length < MIN_PREFIX) return text.includes(secret) ? text.split(secret).join(REDACTED) : text;
  const head = secret.slice(0, MIN_PREFIX);
  let out = '';
  let from = 0;
  for (let at = text.indexOf(head, from); at !== -1; at = text.indexOf(head, from)) {
    let end = at + MIN_PREFIX;
    while (end - at < secret.length && text[end] === secret[end - at]) end++;
    out += text.slice(from, at) + REDACTED;
    from = end;
  }
  return from === 0 ? text : out + text.slice(from);
}

export type Scrub = (text: string) => string;

export function scrubber(secrets: readonly (string | undefined)[]): Scrub {
  const values = new Map<string, boolean>();
  for (const s of secrets) {
    if (typeof s !== 'string' || s.length < MIN_SECRET_LENGTH) continue;
    // URL-shaped secrets (database URLs) begin with ordinary words ("postgres://"), in every form they take
    // (encoded, "postgres%3A%2F%2F…" still begins with "postgres"): matched whole only, or every "postgres" in a
    // log line or a message would be scrubbed.
    const wholeOnly = s.includes('://');
    for (const f of forms(s)) values.set(f, (values.get(f) ?? false) || wholeOnly);
  }
  const list: SecretForm[] = [...values]
    .map(([value, wholeOnly]) => ({ value, wholeOnly }))
    .sort((a, b) => b.value.length - a.value.length);
  return (text) => {
    let out = list.reduce(scrubValue, text);
    for (const re of PATTERNS) out = out.replace(re, (_m, name: string, sep: string) => `${name}${sep}${REDACTED}`);
    return out;
  };
}

/** Every string inside a JSON-like value (blocks, views, event payloads), keys left as they are. */
export function scrubDeep<T>(value: T, scrub: Scrub): T {
  if (typeof value === 'string') return scrub(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => scrubDeep(v, scrub)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v, scrub)])) as T;
  }
  return value;
}
