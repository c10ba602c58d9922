// `/caracal <subcommand> [args]`: the first word picks the subcommand; the rest is passed through as typed.

export interface ParsedCommand {
  subcommand: string;
  args: string;
}

/** Longest text we accept after `/caracal`; Slack itself caps slash-command text well below this. */
export const MAX_COMMAND_TEXT = 4000;

export function parseCommandText(text: string | undefined): ParsedCommand {
  const trimmed = (text ?? '').slice(0, MAX_COMMAND_TEXT).trim();
  if (trimmed === '') return { subcommand: 'help', args: '' };
  const match = /^(\S+)\s*([\s\S]*)$/.exec(trimmed);
  return { subcommand: (match?.[1] ?? '').toLowerCase(), args: (match?.[2] ?? '').trim() };
}
