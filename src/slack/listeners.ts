// Registering a block action the same way everywhere: ack first, count it, then the handler; any throw is
// answered ephemerally by the one error handler. A click that only writes to the bot's database (`saveFirst`) is
// saved in the inbox before it is acked instead (inbox.ts), so a replica killed right after the ack loses nothing.
import type { App, BlockAction, BlockElementAction, RespondFn, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { actionIdPattern, type ActionId } from '../blocks/ids.ts';
import { answerError } from './error-handler.ts';
import type { RequestInbox } from './inbox.ts';

export interface ActionArgs<A extends BlockElementAction = BlockElementAction> {
  body: BlockAction<A>;
  action: A;
  client: WebClient;
  respond: RespondFn;
  logger: Logger;
}

export function onAction<A extends BlockElementAction>(
  app: App,
  actionId: ActionId,
  deps: { logger: Logger; metrics: Metrics; inbox?: RequestInbox },
  handler: (args: ActionArgs<A>) => Promise<void>,
  options: { saveFirst?: () => boolean } = {},
): void {
  const work = async (body: BlockAction<A>, client: WebClient, respond: RespondFn, parent: Logger): Promise<void> => {
    const logger = parent.child({ action: actionId, userId: body.user.id });
    try {
      const action = body.actions[0];
      if (!action) throw new Error('block_actions payload without an action');
      await handler({ body, action, client, respond, logger });
    } catch (err) {
      await answerError(err, { respond, logger });
    }
  };
  const { inbox } = deps;
  if (options.saveFirst && !inbox) throw new Error(`${actionId}: a save-first click needs the inbox`);
  const route = `action:${actionId}`;
  if (options.saveFirst)
    inbox?.route(route, (saved, { client, respond, logger }) => work(saved as BlockAction<A>, client, respond, logger));
  app.action<BlockAction<A>>(actionIdPattern(actionId), async ({ ack, body, client, respond }) => {
    deps.metrics.actions.inc({ action: actionId });
    if (inbox && options.saveFirst?.())
      return inbox.receive(
        route,
        body,
        () => ack(),
        () => work(body, client, respond, deps.logger),
      );
    await ack();
    await work(body, client, respond, deps.logger);
  });
}

/** An ephemeral answer to the person who clicked, leaving the message they clicked on untouched. */
export async function tell(respond: RespondFn, text: string): Promise<void> {
  await respond({ response_type: 'ephemeral', replace_original: false, text });
}

/** What a view submission handler gets from Bolt: exported handlers take this, so tests can build it. */
export type ViewArgs = Pick<SlackViewMiddlewareArgs<ViewSubmitAction>, 'ack' | 'body' | 'view'> & { client: WebClient };
