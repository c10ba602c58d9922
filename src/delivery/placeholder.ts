// What stands in the thread for a message Slack refused: short, always valid, and saying where to read it.
import type { KnownBlock } from '@slack/types';
import type { StoredEvent } from '../domain/events.ts';

export function placeholderEntry(
  event: Pick<StoredEvent, 'id' | 'type' | 'at'> | undefined,
  error: string,
): { text: string; blocks: KnownBlock[] } {
  const what = event
    ? `Log entry #${event.id} (${event.type.replace(/[^a-z_]/g, '')}, ${new Date(event.at).toISOString().slice(0, 19)} UTC)`
    : 'A log entry';
  const text = `:warning: ${what} could not be shown here: Slack refused it (\`${error.replace(/[^a-z_0-9 ]/gi, '')}\`). It is kept in the incident log: read it with \`/caracal timeline\`.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

export function placeholderDashboard(error: string): { text: string; blocks: KnownBlock[] } {
  const text = `:warning: The dashboard of the recovery run could not be shown: Slack refused it (\`${error.replace(/[^a-z_0-9 ]/gi, '')}\`). The run goes on; the thread below keeps its log, and \`/caracal timeline\` shows it in full.`;
  return { text: 'Recovery run dashboard (could not be shown)', blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
