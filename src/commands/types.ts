// What a `/caracal` subcommand is: a name, its usage line, and a handler that runs after the ack.
import type { RespondFn, SlashCommand } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.ts';

export interface CommandInvocation {
  command: SlashCommand;
  args: string;
  client: WebClient;
  respond: RespondFn;
  logger: Logger;
  /** For `answersInAck` subcommands: the quick part is over, ack now (empty); a no-op once acked. */
  ackNow: () => Promise<void>;
}

export interface Subcommand {
  name: string;
  usage: string;
  description: string;
  handle(invocation: CommandInvocation): Promise<void>;
  /**
   * True when this invocation only writes to the bot's database: it is then saved in the inbox before the ack
   * (slack/inbox.ts), so a replica killed right after acking loses nothing. Absent: ack first.
   */
  saveFirst?: () => boolean;
  /**
   * For a save-first subcommand: what is decided from memory before anything is saved (a limit, a missing argument).
   * A refusal (a thrown UserFacingError) rides on the ack, and nothing is saved, recorded or sent after it: a flood of
   * notes past its limit costs the database nothing.
   */
  admit?: (command: SlashCommand, args: string) => Promise<void>;
  /**
   * True when a quick answer (a refusal by a limit, a pointer to a report of a moment ago) can be decided before the
   * ack: it then rides on the ack itself (slack/answer-in-ack.ts). The handler calls `ackNow` once past its quick part;
   * Slack's 3 s are kept by the budget either way.
   */
  answersInAck?: boolean;
}
