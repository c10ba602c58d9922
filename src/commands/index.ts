// The one `/caracal` command: ack first, then route to the subcommand's file; a subcommand that only writes to the
// database (note, handoff…) is saved in the inbox before the ack instead (slack/inbox.ts), once what memory decides
// (its `admit`: a limit, a missing argument) has let it through; a refusal there is the ack's answer.
// `help` and unknown subcommands are answered in the ack itself: usage, ephemerally, at once; so are the quick answers
// of subcommands that decide them before acking (answersInAck: a refusal by a limit, a pointer to a recent report).
import type { App, SlashCommand, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { helpMessage } from '../blocks/help.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { RespondArguments, RespondFn } from '@slack/bolt';
import { answerError } from '../slack/error-handler.ts';
import type { RequestInbox } from '../slack/inbox.ts';
import { decideThenAck } from '../slack/answer-in-ack.ts';
import { parseCommandText } from './parse.ts';
import type { CommandInvocation, Subcommand } from './types.ts';

type CommandArgs = Pick<SlackCommandMiddlewareArgs, 'command' | 'ack' | 'respond'> & { client: WebClient };

export interface RouterDeps {
  logger: Logger;
  metrics: Metrics;
  /**
   * Makes an answer carried by the ack safe to send (secrets scrubbed, Slack's limits kept), as the egress does for
   * everything sent through the Web API and response_urls; an ack's body does not pass through it.
   */
  cleanAnswer: (answer: RespondArguments) => RespondArguments;
  /** Where save-first subcommands are saved before their ack, and handled again if their replica dies. */
  inbox: RequestInbox;
}

/** The `/caracal` listener: routes to the subcommand named first in the text. */
export function routeCommand(subcommands: readonly Subcommand[], deps: RouterDeps) {
  const byName = new Map(subcommands.map((s) => [s.name, s]));
  const usage = [...subcommands, { usage: '/caracal help', description: 'this help.' }];
  const run = async (sub: Subcommand, invocation: Omit<CommandInvocation, 'args' | 'logger'>, parent: Logger): Promise<void> => {
    const { command, respond } = invocation;
    const logger = parent.child({ command: sub.name, userId: command.user_id, channelId: command.channel_id });
    try {
      await sub.handle({ ...invocation, args: parseCommandText(command.text).args, logger });
    } catch (err) {
      await answerError(err, { respond, logger });
    }
  };
  const noAck = () => Promise.resolve();
  for (const sub of subcommands)
    if (sub.saveFirst)
      deps.inbox.route(`command:${sub.name}`, (saved, { client, respond, logger }) =>
        run(sub, { command: saved as SlashCommand, client, respond, ackNow: noAck }, logger),
      );
  return async ({ command, ack, respond, client }: CommandArgs): Promise<void> => {
    const { subcommand } = parseCommandText(command.text);
    const sub = byName.get(subcommand);
    if (!sub) {
      const isHelp = subcommand === 'help';
      await ack({ response_type: 'ephemeral', ...helpMessage(usage, isHelp ? undefined : subcommand) });
      deps.metrics.commands.inc({ subcommand: isHelp ? 'help' : 'unknown' });
      return;
    }
    deps.metrics.commands.inc({ subcommand: sub.name });
    const carry = (answer?: RespondArguments) => ack(answer && deps.cleanAnswer(answer));
    if (sub.saveFirst?.()) {
      const save = (ackNow: () => Promise<void>) =>
        deps.inbox.receive(`command:${sub.name}`, command, ackNow, () =>
          run(sub, { command, client, respond, ackNow: noAck }, deps.logger),
        );
      const { admit } = sub;
      if (!admit) return save(() => ack());
      // A refusal decided from memory is the ack's answer; nothing is saved.
      return decideThenAck(carry, respond, async (answer, ackNow) => {
        try {
          await admit(command, parseCommandText(command.text).args);
        } catch (err) {
          return answerError(err, { respond: answer, logger: deps.logger });
        }
        await save(ackNow);
      });
    }
    if (sub.answersInAck) {
      const work = (answer: RespondFn, ackNow: () => Promise<void>) => run(sub, { command, client, respond: answer, ackNow }, deps.logger);
      return decideThenAck(carry, respond, work);
    }
    await ack();
    await run(sub, { command, client, respond, ackNow: noAck }, deps.logger);
  };
}

export function registerCommands(app: App, subcommands: readonly Subcommand[], deps: RouterDeps): void {
  app.command('/caracal', routeCommand(subcommands, deps));
}
