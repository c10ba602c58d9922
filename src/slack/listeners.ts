// Registering a block action the same way everywhere: ack first, count it, then the handler; any throw is
// answered ephemerally by the one error handler. A click that only writes to the bot's database (`saveFirst`) is
// saved in the inbox before it is acked instead (inbox.ts), so a replica killed right after the ack loses nothing.
// Every block action reaches one Bolt listener that routes by action id: Bolt runs each listener's middleware chain
// (copying the request's arguments) for every request, so 25 listeners cost each command and click 25 chains.
import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  BlockElementAction,
  RespondFn,
  SlackActionMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
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
  routerOf(app, deps.logger).add(actionId, async ({ ack, body, client, respond }) => {
    deps.metrics.actions.inc({ action: actionId });
    const click = body as BlockAction<A>;
    if (inbox && options.saveFirst?.())
      return inbox.receive(
        route,
        click,
        () => ack(),
        () => work(click, client, respond, deps.logger),
      );
    await ack();
    await work(click, client, respond, deps.logger);
  });
}

type ActionListener = (args: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => Promise<void>;

/** The one block-action listener of an app, and the handler of each action id (`base` or `base:suffix`). */
class ActionRouter {
  private readonly byId = new Map<string, { pattern: RegExp; listener: ActionListener }>();

  constructor(app: App, logger: Logger) {
    app.action<BlockAction>({ type: 'block_actions' }, async (args) => {
      const id = args.body.actions[0]?.action_id ?? '';
      const route = this.byId.get(id.split(':', 1)[0] ?? '');
      if (route?.pattern.test(id)) return route.listener(args);
      // A link button, or a button of a retired version: nothing to do, but Slack waits for the ack.
      await args.ack();
      logger.debug({ actionId: id }, 'block action with no handler');
    });
  }

  add(actionId: ActionId, listener: ActionListener): void {
    if (this.byId.has(actionId)) throw new Error(`${actionId}: a handler is registered already`);
    this.byId.set(actionId, { pattern: actionIdPattern(actionId), listener });
  }
}

const routers = new WeakMap<App, ActionRouter>();
/** The app's action router, made (and its one listener registered) by the first onAction. */
function routerOf(app: App, logger: Logger): ActionRouter {
  let router = routers.get(app);
  if (!router) routers.set(app, (router = new ActionRouter(app, logger)));
  return router;
}

/** An ephemeral answer to the person who clicked, leaving the message they clicked on untouched. */
export async function tell(respond: RespondFn, text: string): Promise<void> {
  await respond({ response_type: 'ephemeral', replace_original: false, text });
}

/** What a view submission handler gets from Bolt: exported handlers take this, so tests can build it. */
export type ViewArgs = Pick<SlackViewMiddlewareArgs<ViewSubmitAction>, 'ack' | 'body' | 'view'> & { client: WebClient };
