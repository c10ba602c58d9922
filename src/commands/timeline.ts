// `/caracal timeline`: the active (or last) run of this channel as Markdown, posted to the channel as one message
// for the post-incident review, with people named (users.info, cached; the id kept beside the name).
import type { WebClient } from '@slack/web-api';
import type { KnownBlock } from '@slack/types';
import { describeEvent } from '../blocks/log-entry.ts';
import { LIMITS } from '../blocks/limits.ts';
import { escapeMrkdwn, splitText, truncate } from '../blocks/mrkdwn.ts';
import { UserFacingError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { timelineMarkdown, timelineUserIds, type NameOf } from '../recovery/timeline.ts';
import { runBriefText } from '../blocks/run-brief.ts';
import { briefOf } from '../recovery/brief.ts';
import type { GatePolicy } from '../recovery/machine.ts';
import type { RunState } from '../domain/run.ts';
import type { Db } from '../store/db.ts';
import { listEvents } from '../store/events.ts';
import { findRunId, loadRun } from '../store/runs.ts';
import { slackCall } from '../slack/slack-call.ts';
import type { Subcommand } from './types.ts';

/** Slack user ids to display names, asked once per process (names rarely change during an incident). */
export function userNames(metrics: Metrics, logger?: Logger): (client: WebClient, ids: readonly string[]) => Promise<NameOf> {
  // null: asked, and Slack had no name (deleted user, missing users:read): not asked again.
  const cache = new Map<string, string | null>();
  return async (client, ids) => {
    for (const id of ids.filter((i) => !cache.has(i))) {
      try {
        const { user } = await slackCall(metrics, 'users.info', () => client.users.info({ user: id }));
        const name = user?.profile?.display_name || user?.real_name || user?.name;
        cache.set(id, name || null);
      } catch (err) {
        cache.set(id, null);
        // Without users:read (or for a deleted user) the id alone is shown: the review still has it.
        logger?.debug({ err: { message: (err as Error).message }, userId: id }, 'users.info failed');
      }
    }
    return (id) => cache.get(id) ?? undefined;
  };
}

export async function channelTimeline(
  db: Db,
  channelId: string,
  names?: (ids: readonly string[]) => Promise<NameOf>,
  brief?: (run: RunState) => string,
): Promise<string> {
  const runId = (await findRunId(db, channelId, 'active')) ?? (await findRunId(db, channelId, 'latest'));
  const run = runId ? await loadRun(db, runId) : undefined;
  if (!run) throw new UserFacingError('not_found', 'There is no recovery run in this channel yet.');
  const events = await listEvents(db, run.id);
  const nameOf = names ? await names(timelineUserIds(run, events)) : undefined;
  return timelineMarkdown(run, events, describeEvent, nameOf, brief?.(run));
}

/** Code-block sections under a section's limit; fence and escapes included. */
const PIECE = LIMITS.sectionText - 20;

const codeBlock = (p: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: `\`\`\`\n${p}\n\`\`\`` } });

/**
 * The timeline as one channel message: its Markdown in code blocks, split at line breaks. A timeline beyond one
 * message (about 140,000 characters) continues in thread replies under it, and the message says so.
 */
export function timelineMessage(markdown: string): { text: string; blocks: KnownBlock[]; continued: KnownBlock[][] } {
  const pieces = splitText(escapeMrkdwn(markdown), PIECE).map(codeBlock);
  const room = LIMITS.blocksPerMessage - 1;
  const blocks = pieces.slice(0, room);
  const continued: KnownBlock[][] = [];
  for (let i = room; i < pieces.length; i += room) continued.push(pieces.slice(i, i + room));
  if (continued.length > 0) {
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `:thread: The timeline continues in ${continued.length} thread repl${continued.length === 1 ? 'y' : 'ies'} under this message.`,
        },
      ],
    });
  }
  const title = markdown.split('\n', 1)[0]?.replace(/^# /, '') ?? 'recovery run';
  return { text: truncate(`Timeline for the review: ${title}`, LIMITS.fallbackText), blocks, continued };
}

export function timelineCommand(deps: { db: Db; metrics: Metrics; logger?: Logger; policy?: GatePolicy; now?: () => Date }): Subcommand {
  const names = userNames(deps.metrics, deps.logger);
  const now = deps.now ?? (() => new Date());
  // The same brief as `/caracal summary`, at the top of the export.
  const brief = deps.policy ? (run: RunState) => runBriefText(briefOf(run, deps.policy!, now()), now()) : undefined;
  return {
    name: 'timeline',
    usage: '/caracal timeline',
    description:
      'post the active (or last) run’s timeline to the channel as Markdown: UTC times, time per gate, time to recover, approvers, overrides.',
    async handle({ command, client, respond }) {
      const markdown = await channelTimeline(deps.db, command.channel_id, (ids) => names(client, ids), brief);
      // Escaped inside the code blocks too: nothing in a note can become a mention.
      const { text, blocks, continued } = timelineMessage(markdown);
      const channel = command.channel_id;
      const posted = await slackCall(deps.metrics, 'chat.postMessage', () =>
        client.chat.postMessage({ channel, text, blocks, unfurl_links: false }),
      );
      for (const part of continued) {
        await slackCall(deps.metrics, 'chat.postMessage', () =>
          client.chat.postMessage({ channel, ...(posted.ts ? { thread_ts: posted.ts } : {}), text: `${text} (continued)`, blocks: part }),
        );
      }
      await respond({ response_type: 'ephemeral', text: 'Posted the timeline to the channel.' });
    },
  };
}
