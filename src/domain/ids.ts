// Ids read from Caracal's database go into admin URLs and into SQL shown to a DBA (issue 18): they are checked
// first, so a `..` or a quote in a row cannot redirect an operator-token POST or change a statement.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Zone ids are UUIDs in Caracal v1.0; slugs are accepted, but never a dot, slash, percent sign or space. */
const ZONE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export const isUuid = (s: string): boolean => UUID.test(s);
export const isZoneId = (s: string): boolean => ZONE_ID.test(s);

/** An id as a log line shows it: quoted and short, whatever it holds. */
export const shownId = (s: string): string => JSON.stringify(s.length > 60 ? `${s.slice(0, 59)}…` : s);

/**
 * A SQL string literal that means the same whatever `standard_conforming_strings` is: a UUID as is, anything else
 * as an E'' literal with backslashes and quotes doubled.
 */
export function sqlStringLiteral(s: string): string {
  if (isUuid(s)) return `'${s}'`;
  return `E'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}
