// Who the bot is in Slack, asked once at start (auth.test). The read-backs that decide whether a message was already
// posted (thread entries, dashboards, alert groups, scheduled reports) trust only messages with this bot id, so
// another app's message carrying the same metadata cannot make the bot skip or edit anything (issue 18).
import type { WebClient } from '@slack/web-api';

export interface BotIdentity {
  botId: string;
  botUserId: string;
}

/** Fails loudly: a production bot that cannot tell its own messages must not start (a bad token fails here too). */
export async function resolveBotIdentity(client: Pick<WebClient, 'auth'>): Promise<BotIdentity> {
  const answer = await client.auth.test();
  if (!answer.bot_id || !answer.user_id) {
    throw new Error('auth.test did not name a bot (is SLACK_BOT_TOKEN a bot token, xoxb-…?)');
  }
  return { botId: answer.bot_id, botUserId: answer.user_id };
}
