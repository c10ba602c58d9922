// Whole lines grouped into parts of at most `max` characters (a longer line is a part of its own).
export function splitLines(lines: readonly string[], max: number): string[][] {
  const parts: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const line of lines) {
    if (current.length > 0 && size + line.length + 1 > max) {
      parts.push(current);
      current = [];
      size = 0;
    }
    current.push(line);
    size += line.length + 1;
  }
  if (current.length > 0) parts.push(current);
  return parts;
}
