// Intervals typed in commands: `90s`, `5m`, `1h`, `15` (minutes), within bounds that keep Caracal and Slack calm.

export const MIN_INTERVAL_MS = 30_000;
export const MAX_INTERVAL_MS = 24 * 3_600_000;

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/** Milliseconds, or undefined when `text` is not an interval within bounds. */
export function parseInterval(text: string): number | undefined {
  const match = /^(\d{1,5})\s*(s|m|min|h)?$/i.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[(match[2] ?? 'm').toLowerCase()];
  return ms >= MIN_INTERVAL_MS && ms <= MAX_INTERVAL_MS ? ms : undefined;
}

/** `5 min`, `90 s`, `2 h`, `1 h 30 min`: how the bot says an interval back. */
export function formatInterval(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.round((ms % 3_600_000) / 60_000);
  return [h ? `${h} h` : '', m ? `${m} min` : ''].filter(Boolean).join(' ') || '0 min';
}

/** `03:12` in UTC, as the log entries show time. */
export function hhmm(at: Date): string {
  return at.toISOString().slice(11, 16);
}
