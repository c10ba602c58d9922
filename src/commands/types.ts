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
}
