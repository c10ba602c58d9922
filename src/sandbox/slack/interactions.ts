// What a person does in the sandbox page, sent to the bot as the real signed Slack request Slack would send:
// slash commands, button/checkbox clicks, modal submissions and closes, message shortcuts. Their ack bodies are
// applied as Slack applies them (a command's answer becomes an ephemeral message, view errors stay in the modal).
import { slackView } from './api-views.ts';
import { readContent, slackMessage } from './content.ts';
import { isObject, parseJsonField, str } from './json.ts';
import {
  actionOf,
  actionTs,
  commandFields,
  common,
  findElement,
  messageState,
  viewState,
  type Draft,
  type ElementQuery,
} from './payloads.ts';
import { SANDBOX_BOT, SANDBOX_COMMANDS, type SandboxChannel, type SandboxUser } from './people.ts';
import type { ResponseUrls } from './response-url.ts';
import { formBody, JSON_TYPE, payloadBody, postToBot, type AckResult } from './signing.ts';
import type { Triggers } from './triggers.ts';
import { checkView, isInvalid } from './validate.ts';
import type { Workspace } from './workspace.ts';

export type { AckResult } from './signing.ts';

export interface InteractionDeps {
  workspace: Workspace;
  triggers: Triggers;
  responses: ResponseUrls;
  signingSecret: string;
  botUrl: () => string | undefined;
}

export interface ClickOptions extends Omit<ElementQuery, 'actionId'> {
  /** Checkboxes: the values ticked after the click (the whole set, as Slack sends it). */
  selected?: string[] | undefined;
}

export interface Interactions {
  /** `text` is the whole line (`/caracal status`) or just the arguments of `/caracal`. */
  command(user: string, channel: string, text: string): Promise<AckResult>;
  click(user: string, channel: string, messageTs: string, actionId: string, options?: ClickOptions): Promise<AckResult>;
  /** `values`: block_id -> action_id -> typed text. */
  submitView(user: string, viewId: string, values: Draft): Promise<AckResult>;
  closeView(user: string, viewId: string): Promise<AckResult>;
  shortcut(user: string, channel: string, messageTs: string, callbackId: string): Promise<AckResult>;
  /** The person opens the app's Home tab: an `app_home_opened` event (Events API, JSON), as Slack sends it. */
  openHome(user: string): Promise<AckResult>;
  /** A button on the person's published Home view: block_actions from a `view` container, without a channel. */
  clickHome(user: string, actionId: string, options?: ClickOptions): Promise<AckResult>;
}

const refused = (error: string): AckResult => ({ sent: false, status: 0, body: '', error });

export function createInteractions(deps: InteractionDeps): Interactions {
  const { workspace, triggers, responses } = deps;
  const send = (body: string) => postToBot(deps.botUrl(), deps.signingSecret, body);
  const who = (userId: string, channelId?: string): [SandboxUser, SandboxChannel] | undefined => {
    const user = workspace.user(userId);
    const channel = channelId === undefined ? workspace.channels[0] : workspace.channel(channelId);
    return user && channel ? [user, channel] : undefined;
  };
  /** Slack's own notice to one person (the bot did not answer, an unknown command). */
  const notice = (user: string, channel: string, text: string) =>
    workspace.postEphemeral({ channel, user, text, blocks: [], system: true });

  return {
    async command(userId, channelId, line) {
      const found = who(userId, channelId);
      if (!found) return refused('unknown_user_or_channel');
      const [user, channel] = found;
      const trimmed = line.trim();
      const name = trimmed.startsWith('/') ? trimmed.split(/\s+/)[0] : '/caracal';
      const text = trimmed.startsWith('/') ? trimmed.slice(name.length).trim() : trimmed;
      if (!SANDBOX_COMMANDS.includes(name)) {
        notice(
          user.id,
          channel.id,
          `\`${name}\` is not a valid command. In Slack, all messages that start with "/" are interpreted as commands.`,
        );
        return refused('unknown_command');
      }
      const responseUrl = responses.issue(user.id, channel.id, { kind: 'command' });
      const ack = await send(formBody(commandFields(user, channel, name, text, responseUrl, triggers.issue(user.id))));
      if (ack.error) notice(user.id, channel.id, `${name} failed with the error "${ack.error}"`);
      else if (ack.body.trim() !== '') applyCommandAck(ack.body, user, channel, responseUrl, name);
      return ack;
    },

    async click(userId, channelId, messageTs, actionId, options = {}) {
      const found = who(userId, channelId);
      if (!found) return refused('unknown_user_or_channel');
      const [user, channel] = found;
      const message = workspace.message(channel.id, messageTs);
      const ephemeral = message ? undefined : workspace.ephemeral(messageTs);
      if (!message && (!ephemeral || ephemeral.user !== user.id)) return refused('message_not_found');
      const blocks = (message ?? ephemeral)!.blocks;
      // A click on a render the bot has just replaced (block ids carry the run's version): Slack still delivers it,
      // so the element is looked up again without its old block id rather than refused.
      const match = findElement(blocks, { actionId, ...options }) ?? findElement(blocks, { actionId, ...options, blockId: undefined });
      if (!match) return refused('element_not_found');
      const threadTs = (message ?? ephemeral)!.threadTs;
      const responseUrl = responses.issue(
        user.id,
        channel.id,
        message ? { kind: 'message', ts: messageTs } : { kind: 'ephemeral', ts: messageTs },
        threadTs,
      );
      const payload = {
        type: 'block_actions',
        ...common(user, triggers.issue(user.id)),
        container: {
          type: 'message',
          message_ts: messageTs,
          channel_id: channel.id,
          is_ephemeral: !message,
          ...(threadTs ? { thread_ts: threadTs } : {}),
        },
        channel: { id: channel.id, name: channel.name },
        // Slack sends no message body for clicks on ephemeral messages: only the response_url can change them.
        ...(message ? { message: slackMessage(message) } : {}),
        state: { values: messageState(blocks, match, options.selected) },
        response_url: responseUrl,
        actions: [actionOf(match, options.selected)],
      };
      return send(payloadBody(payload));
    },

    async submitView(userId, viewId, draft) {
      const user = workspace.user(userId);
      const stored = workspace.modalFor(userId);
      if (!user || !stored || stored.id !== viewId) return refused('view_not_found');
      const { values, errors } = viewState(Array.isArray(stored.view.blocks) ? stored.view.blocks.filter(isObject) : [], draft);
      if (Object.keys(errors).length > 0) {
        workspace.setViewErrors(viewId, errors, undefined, draft);
        return refused('invalid_input');
      }
      const payload = {
        type: 'view_submission',
        ...common(user, triggers.issue(user.id)),
        view: slackView(stored, values),
        response_urls: [],
      };
      const ack = await send(payloadBody(payload));
      if (ack.error) {
        workspace.setViewErrors(viewId, {}, 'We had some trouble connecting. Try again?', draft);
        return ack;
      }
      const answer = ack.body.trim() === '' ? undefined : parseJsonField(ack.body);
      const action = isObject(answer) ? str(answer.response_action) : undefined;
      if (action === 'errors' && isObject(answer) && isObject(answer.errors)) {
        const shown = Object.fromEntries(Object.entries(answer.errors).map(([k, v]) => [k, String(v)]));
        workspace.setViewErrors(viewId, shown, undefined, draft);
      } else if ((action === 'update' || action === 'push') && isObject(answer) && isObject(answer.view)) {
        const invalid = checkView(answer.view, 'modal');
        if (invalid) workspace.setViewErrors(viewId, {}, `The app answered with an invalid view (${invalid.error}).`, draft);
        else workspace.replaceView(viewId, answer.view);
      } else {
        workspace.closeModal(user.id); // empty ack or `clear`: Slack closes the modal
      }
      return ack;
    },

    async closeView(userId, viewId) {
      const user = workspace.user(userId);
      const stored = workspace.modalFor(userId);
      if (!user || !stored || stored.id !== viewId) return refused('view_not_found');
      workspace.closeModal(user.id);
      if (stored.view.notify_on_close !== true) return { sent: false, status: 200, body: '' };
      return send(
        payloadBody({ type: 'view_closed', ...common(user, triggers.issue(user.id)), view: slackView(stored), is_cleared: false }),
      );
    },

    async openHome(userId) {
      const user = workspace.user(userId);
      if (!user) return refused('unknown_user_or_channel');
      const home = workspace.homeFor(user.id);
      const event = {
        type: 'app_home_opened',
        user: user.id,
        channel: `D0${user.id.slice(2)}`,
        tab: 'home',
        event_ts: actionTs(),
        ...(home ? { view: slackView(home) } : {}),
      };
      const body = {
        token: 'sandbox-verification-token',
        team_id: SANDBOX_BOT.teamId,
        api_app_id: SANDBOX_BOT.appId,
        event,
        type: 'event_callback',
        event_id: `Ev0SB${Date.now().toString(36).toUpperCase()}`,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ team_id: SANDBOX_BOT.teamId, user_id: SANDBOX_BOT.botUserId, is_bot: true }],
      };
      return postToBot(deps.botUrl(), deps.signingSecret, JSON.stringify(body), JSON_TYPE);
    },

    async clickHome(userId, actionId, options = {}) {
      const user = workspace.user(userId);
      const home = user && workspace.homeFor(user.id);
      if (!user || !home) return refused('view_not_found');
      const blocks = Array.isArray(home.view.blocks) ? home.view.blocks.filter(isObject) : [];
      const match = findElement(blocks, { actionId, ...options }) ?? findElement(blocks, { actionId, ...options, blockId: undefined });
      if (!match) return refused('element_not_found');
      const payload = {
        type: 'block_actions',
        ...common(user, triggers.issue(user.id)),
        container: { type: 'view', view_id: home.id },
        view: slackView(home),
        state: { values: {} },
        actions: [actionOf(match, options.selected)],
      };
      return send(payloadBody(payload));
    },

    async shortcut(userId, channelId, messageTs, callbackId) {
      const found = who(userId, channelId);
      if (!found) return refused('unknown_user_or_channel');
      const [user, channel] = found;
      const message = workspace.message(channel.id, messageTs);
      if (!message) return refused('message_not_found');
      const payload = {
        type: 'message_action',
        ...common(user, triggers.issue(user.id)),
        callback_id: callbackId,
        action_ts: actionTs(),
        channel: { id: channel.id, name: channel.name },
        message_ts: message.ts,
        message: slackMessage(message),
        response_url: responses.issue(user.id, channel.id, { kind: 'message', ts: message.ts }, message.threadTs),
      };
      return send(payloadBody(payload));
    },
  };

  /** A command's ack body: JSON (text/blocks/response_type) or plain text; ephemeral unless in_channel. */
  function applyCommandAck(body: string, user: SandboxUser, channel: SandboxChannel, responseUrl: string, name: string): void {
    const parsed = parseJsonField(body);
    const args = isObject(parsed) ? parsed : { text: body };
    const content = readContent(args, true);
    if (isInvalid(content)) {
      notice(user.id, channel.id, `${name} failed with the error "${content.error}"`);
      return;
    }
    const message = { text: content.text ?? '', blocks: content.blocks ?? [] };
    if (args.response_type === 'in_channel') {
      workspace.post({ channel: channel.id, botId: SANDBOX_BOT.botId, ...message });
      return;
    }
    const posted = workspace.postEphemeral({ channel: channel.id, user: user.id, ...message });
    responses.setSource(responseUrl, { kind: 'ephemeral', ts: posted.ts });
  }
}
