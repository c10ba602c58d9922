// `/caracal timeline`: the active (or last) run of this channel as Markdown, for the post-incident review.
import { describeEvent } from '../blocks/log-entry.ts';
import { escapeMrkdwn, splitText } from '../blocks/mrkdwn.ts';
import { UserFacingError } from '../errors.ts';
import { timelineMarkdown } from '../recovery/timeline.ts';
import type { Db } from '../store/db.ts';
import { listEvents } from '../store/events.ts';
import { findRunId, loadRun } from '../store/runs.ts';
import type { Subcommand } from './types.ts';

export async function channelTimeline(db: Db, channelId: string): Promise<string> {
  const runId = (await findRunId(db, channelId, 'active')) ?? (await findRunId(db, channelId, 'latest'));
  const run = runId ? await loadRun(db, runId) : undefined;
  if (!run) throw new UserFacingError('not_found', 'There is no recovery run in this channel yet.');
  return timelineMarkdown(run, await listEvents(db, run.id), describeEvent);
}

export function timelineCommand(deps: { db: Db }): Subcommand {
  return {
    name: 'timeline',
    usage: '/caracal timeline',
    description: 'export the active (or last) run’s timeline as Markdown: UTC times, time per gate, time to recover, approvers, overrides.',
    async handle({ command, client }) {
      const markdown = await channelTimeline(deps.db, command.channel_id);
      // Escaped inside the code block too: nothing in a note can become a mention. postEphemeral, not respond():
      // a long timeline needs more parts than a response_url's five uses.
      for (const part of splitText(escapeMrkdwn(markdown), 3800)) {
        await client.chat.postEphemeral({ channel: command.channel_id, user: command.user_id, text: `\`\`\`\n${part}\n\`\`\`` });
      }
    },
  };
}
