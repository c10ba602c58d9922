// Slack user references: only well-formed IDs become mentions; anything else is shown escaped.
import { escapeMrkdwn } from './mrkdwn.ts';

const USER_ID = /^[UW][A-Z0-9]{2,20}$/;

export function userMention(userId: string): string {
  return USER_ID.test(userId) ? `<@${userId}>` : escapeMrkdwn(userId);
}
