// Byte helpers for PostgreSQL's COPY ... TO STDOUT text format: one row per line, fields split by a tab, SQL
// NULL spelled `\N`, and a backslash escape for backslash itself and for \b \f \n \r \t \v. Nothing else is
// escaped (0x1F and non-ASCII UTF-8 go through as they are), so a raw tab or newline always ends a field.
export const TAB = 0x09;
export const NL = 0x0a;
export const BACKSLASH = 0x5c;
export const N_UPPER = 0x4e;

/** The byte a backslash escape in COPY output stands for (COPY FROM also reads `\x` as x for any other x). */
export function unescapedByte(b: number): number {
  switch (b) {
    case 0x62: return 0x08; // \b
    case 0x66: return 0x0c; // \f
    case 0x6e: return NL; // \n
    case 0x72: return 0x0d; // \r
    case 0x74: return TAB; // \t
    case 0x76: return 0x0b; // \v
    default: return b; // \\ and anything else
  }
}

/** Whether buf[start, end) is the NULL marker `\N` (a literal backslash-N value comes out as `\\N`). */
export function isNull(buf: Buffer, start: number, end: number): boolean {
  return end - start === 2 && buf[start] === BACKSLASH && buf[start + 1] === N_UPPER;
}

/** Index of the tab or newline that ends the field starting at `i` (the caller knows a newline follows). */
export function fieldEnd(buf: Buffer, i: number): number {
  while (buf[i] !== TAB && buf[i] !== NL) i++;
  return i;
}

/** Copy the escaped field buf[start, end) into dst at `at`, decoding escapes; returns the end offset in dst. */
export function unescapeInto(buf: Buffer, start: number, end: number, dst: Buffer, at: number): number {
  for (let i = start; i < end; i++) {
    const b = buf[i];
    dst[at++] = b === BACKSLASH ? unescapedByte(buf[++i]) : b;
  }
  return at;
}

/**
 * The end of the field starting at buf[i] when it holds exactly `expected`, else -1. Escaping maps distinct
 * values to distinct bytes and never touches hex digits, so comparing escaped bytes compares the values;
 * `expected` must hold no tab or newline (hex digests and escaped field bytes never do). This compares and
 * finds the field's end in one pass, for the 64-byte hash fields of every row.
 */
export function matchField(buf: Buffer, i: number, expected: string): number {
  const n = expected.length;
  for (let k = 0; k < n; k++) if (buf[i + k] !== expected.charCodeAt(k)) return -1;
  return buf[i + n] === TAB ? i + n : -1;
}

/**
 * A SQL string literal for COPY's query, which takes no bind parameters. E'' syntax means the same whatever
 * standard_conforming_strings says; doubling quotes and backslashes leaves no way out of the literal, which
 * matters because zone and event ids are data an attacker with write access to audit_events chooses.
 */
export function sqlLiteral(text: string): string {
  return `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}
