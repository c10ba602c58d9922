import { describe, expect, it } from 'vitest';
import { REDACTED, scrubber } from '../src/redact.ts';

describe('scrubber', () => {
  it('scrubs a secret whole, encoded, and cut short to 8 or more characters', () => {
    const scrub = scrubber(['s3cr3t-t0ken-value-42']);
    expect(scrub('token s3cr3t-t0ken-value-42 end')).toBe(`token ${REDACTED} end`);
    expect(scrub('echo: s3cr3t-t0ke…')).toBe(`echo: ${REDACTED}…`);
    expect(scrub('s3cr3t-')).toBe('s3cr3t-'); // 7 characters: ordinary text
  });

  it('matches a URL-shaped secret whole only, in every form, so ordinary words it begins with stay', () => {
    const url = 'postgres://bot:pa55word@db.internal:5432/chatops';
    const scrub = scrubber([url]);
    // The URL, raw and encoded, is scrubbed…
    expect(scrub(`connecting to ${url}`)).toBe(`connecting to ${REDACTED}`);
    expect(scrub(`next=${encodeURIComponent(url)}`)).toBe(`next=${REDACTED}`);
    // …but not the word its encoded form begins with ("postgres%3A…"), nor a check id.
    expect(scrub('{"kind":"postgres","check":"postgres.reachable"}')).toBe('{"kind":"postgres","check":"postgres.reachable"}');
  });
});
