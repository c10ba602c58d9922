// App Home: publish a person's Home when they open it, and another page of runs when they ask for it. Events are
// acked by Bolt before this runs; the page buttons are acked first (onAction), then published.
import type { App, ButtonAction, SlackEventMiddlewareArgs } from '@slack/bolt';
import { ACTION } from '../blocks/ids.ts';
import { decodePayload, homePagePayload } from '../blocks/payloads.ts';
import type { HomePublisher } from '../delivery/home-publisher.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { onAction, type ActionArgs } from '../slack/listeners.ts';

export interface AppHomeDeps {
  home: HomePublisher;
  logger: Logger;
  metrics: Metrics;
}

export const handleHomePage =
  (deps: AppHomeDeps) =>
  async ({ body, action }: ActionArgs<ButtonAction>): Promise<void> => {
    const { page } = decodePayload(homePagePayload, action.value);
    await deps.home.open(body.user.id, page);
  };

export const handleHomeOpened =
  (deps: AppHomeDeps) =>
  async ({ event }: Pick<SlackEventMiddlewareArgs<'app_home_opened'>, 'event'>): Promise<void> => {
    if (event.tab !== 'home') return;
    await deps.home
      .open(event.user)
      .catch((err: unknown) => deps.logger.warn({ err, userId: event.user }, 'could not publish the Home tab'));
  };

export function registerAppHome(app: App, deps: AppHomeDeps): void {
  app.event('app_home_opened', handleHomeOpened(deps));
  onAction(app, ACTION.homePage, deps, handleHomePage(deps));
}
