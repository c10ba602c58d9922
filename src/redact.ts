// Value-based scrubbing of secrets: catches them wherever they appear (messages, error text, URLs),
// which path-based redaction cannot.

export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are not scrubbed (they would match ordinary text); config rejects nothing shorter in practice. */
const MIN_SECRET_LENGTH = 4;

export function scrubber(secrets: readonly (string | undefined)[]): (text: string) => string {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (typeof s !== 'string' || s.length < MIN_SECRET_LENGTH) continue;
    forms.add(s);
    forms.add(JSON.stringify(s).slice(1, -1)); // the same secret inside a JSON string (quotes, backslashes)
    forms.add(encodeURIComponent(s)); // and inside a URL or a form body
  }
  const list = [...forms].sort((a, b) => b.length - a.length);
  if (list.length === 0) return (text) => text;
  return (text) => list.reduce((out, secret) => (out.includes(secret) ? out.split(secret).join(REDACTED) : out), text);
}
