// The one `/caracal` command: ack first, then route to the subcommand's file; a subcommand that only writes to the
// database (note, handoff…) is saved before the ack instead (slack/save-first.ts).
// `help` and unknown subcommands are answered in the ack itself: usage, ephemerally, at once; so are the quick answers
// of subcommands that decide them before acking (answersInAck: a refusal by a limit, a pointer to a recent report).
import type { App, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { helpMessage } from '../blocks/help.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { RespondArguments, RespondFn } from '@slack/bolt';
import { answerError } from '../slack/error-handler.ts';
import { saveThenAck } from '../slack/save-first.ts';
import { parseCommandText } from './parse.ts';
import type { Subcommand } from './types.ts';

type CommandArgs = Pick<SlackCommandMiddlewareArgs, 'command' | 'ack' | 'respond'> & { client: WebClient };

export interface RouterDeps {
  logger: Logger;
  metrics: Metrics;
  /**
   * Makes an answer carried by the ack safe to send (secrets scrubbed, Slack's limits kept), as the egress does for
   * everything sent through the Web API and response_urls; an ack's body does not pass through it.
   */
  cleanAnswer: (answer: RespondArguments) => RespondArguments;
}

/** The `/caracal` listener: routes to the subcommand named first in the text. */
export function routeCommand(subcommands: readonly Subcommand[], deps: RouterDeps) {
  const byName = new Map(subcommands.map((s) => [s.name, s]));
  const usage = [...subcommands, { usage: '/caracal help', description: 'this help.' }];
  return async ({ command, ack, respond, client }: CommandArgs): Promise<void> => {
    const { subcommand, args } = parseCommandText(command.text);
    const sub = byName.get(subcommand);
    if (!sub) {
      const isHelp = subcommand === 'help';
      await ack({ response_type: 'ephemeral', ...helpMessage(usage, isHelp ? undefined : subcommand) });
      deps.metrics.commands.inc({ subcommand: isHelp ? 'help' : 'unknown' });
      return;
    }
    deps.metrics.commands.inc({ subcommand: sub.name });
    const logger = deps.logger.child({ command: sub.name, userId: command.user_id, channelId: command.channel_id });
    const work = async (answer: RespondFn, ackNow: () => Promise<void> = () => Promise.resolve()): Promise<void> => {
      try {
        await sub.handle({ command, args, client, respond: answer, logger, ackNow });
      } catch (err) {
        await answerError(err, { respond: answer, logger });
      }
    };
    if (sub.saveFirst?.() || sub.answersInAck) {
      const carry = (answer?: RespondArguments) => ack(answer && deps.cleanAnswer(answer));
      return saveThenAck(carry, respond, work, { answerInAck: sub.answersInAck === true });
    }
    await ack();
    await work(respond);
  };
}

export function registerCommands(app: App, subcommands: readonly Subcommand[], deps: RouterDeps): void {
  app.command('/caracal', routeCommand(subcommands, deps));
}
