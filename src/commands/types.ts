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
}

export interface Subcommand {
  name: string;
  usage: string;
  description: string;
  handle(invocation: CommandInvocation): Promise<void>;
  /**
   * True when this invocation only writes to the bot's database: it is then handled before the ack (save first,
   * commands/index.ts), so a replica killed right after acking loses nothing. Absent: ack first.
   */
  saveFirst?: () => boolean;
}
