// The "Add to incident log" message shortcut: the message's text becomes a note of the channel's active run. Only
// the database is written, so the note is saved in the inbox before the ack (slack/inbox.ts), once what memory
// decides (a message without text, the notes limit) has let it through.
import type { App, MessageShortcut, RespondFn, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import { SHORTCUT } from '../blocks/ids.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { RecoveryService } from '../recovery/service.ts';
import { addedText, noteEntries } from '../commands/note.ts';
import { answerError } from '../slack/error-handler.ts';
import { tell } from '../slack/listeners.ts';
import type { RequestInbox } from '../slack/inbox.ts';
import { UserFacingError } from '../errors.ts';
import type { RequestLimits } from '../slack/request-limits.ts';

export interface AddToLogDeps {
  service: Pick<RecoveryService, 'addEvent'>;
  logger: Logger;
  metrics: Metrics;
  limits?: RequestLimits;
  inbox: RequestInbox;
}

const ROUTE = `shortcut:${SHORTCUT.addToIncidentLog}`;

export const handleAddToLog =
  (deps: AddToLogDeps) =>
  async ({ ack, shortcut, respond }: Pick<SlackShortcutMiddlewareArgs<MessageShortcut>, 'ack' | 'shortcut' | 'respond'>): Promise<void> => {
    deps.metrics.actions.inc({ action: SHORTCUT.addToIncidentLog });
    // Refused from memory (no text, past the notes limit) before anything is saved, and counted once: a saved note
    // handled again after its replica died is not counted twice.
    try {
      if (!shortcut.message.text) throw new UserFacingError('bad_request', 'That message has no text to add.');
      await deps.limits?.take('notes', shortcut.user.id, shortcut.channel.id);
    } catch (err) {
      await ack();
      return answerError(err, { respond, logger: deps.logger.child({ shortcut: SHORTCUT.addToIncidentLog, userId: shortcut.user.id }) });
    }
    await deps.inbox.receive(
      ROUTE,
      shortcut,
      () => ack(),
      () => addNote(deps, shortcut, respond, deps.logger),
    );
  };

async function addNote(deps: AddToLogDeps, shortcut: MessageShortcut, answer: RespondFn, parent: Logger): Promise<void> {
  const logger = parent.child({ shortcut: SHORTCUT.addToIncidentLog, userId: shortcut.user.id });
  try {
    const text = shortcut.message.text ?? '';
    const message = shortcut.message as { user?: string; bot_id?: string };
    const author = message.user ?? message.bot_id ?? 'unknown';
    const entries = noteEntries(text).map((e) => ({ ...e, from: author, messageTs: shortcut.message.ts }));
    const result = await deps.service.addEvent(shortcut.channel.id, shortcut.user.id, 'note', entries, `note:${shortcut.trigger_id}`);
    if (!result.ok) throw new UserFacingError('not_found', result.reason);
    await tell(answer, addedText(entries.length));
  } catch (err) {
    await answerError(err, { respond: answer, logger });
  }
}

export function registerAddToLog(app: App, deps: AddToLogDeps): void {
  deps.inbox.route(ROUTE, (saved, { respond, logger }) => addNote(deps, saved as MessageShortcut, respond, logger));
  app.shortcut<MessageShortcut>({ callback_id: SHORTCUT.addToIncidentLog, type: 'message_action' }, handleAddToLog(deps));
}
