// A test bot on a state database of its own, with Slack's Web API and the response URLs captured: the set-up and
// tear-down the Slack tests of one describe block share.
import nock from 'nock';
import type { Db } from '../../src/store/db.ts';
import { captureResponseUrls, captureSlackApi, startTestBot, testStateDb, type SlackCall, type TestBot } from './slack.ts';

/** A post to a response URL as tests read it: its text, whether it replaced the card, its buttons. */
export interface ResponseAnswer {
  text?: string;
  replace_original?: boolean;
  delete_original?: boolean;
  blocks?: { elements?: { action_id: string; value: string }[] }[];
}

/** The button `actionId` of a response (a card's "Run it", a break-glass step's "Done by me"). */
export function buttonOf(answer: ResponseAnswer, actionId: string): { action_id: string; value: string } {
  const button = (answer.blocks ?? []).flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId);
  if (!button) throw new Error(`no ${actionId} button in ${JSON.stringify(answer)}`);
  return button;
}

export interface BotOnState<A = ResponseAnswer> {
  state: { db: Db; drop(): Promise<void> };
  bot: TestBot;
  calls: SlackCall[];
  /** What the bot posted to response URLs (ephemeral answers, replaced cards), in order. */
  answers: A[];
  /** Stops the bot, forgets every nock interceptor, drops the database. */
  close: () => Promise<void>;
}

export async function startBotOnState<A = ResponseAnswer>(options: Omit<Parameters<typeof startTestBot>[0], 'db'>): Promise<BotOnState<A>> {
  const state = await testStateDb();
  const bot = await startTestBot({ ...options, db: state.db });
  const calls = captureSlackApi();
  const answers = captureResponseUrls<A>();
  return {
    state,
    bot,
    calls,
    answers,
    close: async () => {
      await bot.stop();
      nock.cleanAll();
      await state.drop();
    },
  };
}

/** Alerts and deliveries done: what a notification or click started is in Slack. */
export async function settleAlerts(bot: TestBot): Promise<void> {
  await bot.bot.idle();
  await bot.bot.flushAlerts();
  await bot.bot.flushDeliveries();
}
