// Handler tests call an exported handler with the arguments Bolt would pass (as Bolt's own samples do): a block
// action body from a channel's message, a respond that records what the person is told, and a client that records
// the views it opens. No HTTP, no signing: the wiring has its own end-to-end tests.
import type { BlockAction, ButtonAction, CheckboxesAction, RespondArguments, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { pino } from 'pino';
import type { ActionArgs, ViewArgs } from '../../src/slack/listeners.ts';

export interface BuiltArgs<A> extends ActionArgs<A extends ButtonAction | CheckboxesAction ? A : never> {
  /** What the person was told (ephemeral answers, in order). */
  told: string[];
  /** Views opened with their trigger. */
  opened: { trigger_id: string; view: unknown }[];
}

interface ClickOptions {
  userId?: string;
  channelId?: string;
  messageTs?: string;
  actionTs?: string;
  triggerId?: string;
}

function bodyOf<A extends ButtonAction | CheckboxesAction>(action: A, o: ClickOptions): BlockAction<A> {
  return {
    type: 'block_actions',
    user: { id: o.userId ?? 'UALICE', name: 'alice' },
    channel: { id: o.channelId ?? 'C0RUN', name: 'incident' },
    message: { type: 'message', ts: o.messageTs ?? '1700000000.000100', text: '' },
    container: { type: 'message', message_ts: o.messageTs ?? '1700000000.000100', channel_id: o.channelId ?? 'C0RUN' },
    actions: [action],
    trigger_id: o.triggerId ?? 'trigger-1',
    api_app_id: 'A1',
    token: 'verification-token',
    response_url: 'https://hooks.slack.com/actions/T1/1/x',
    team: { id: 'T1', domain: 'acme' },
  } as unknown as BlockAction<A>;
}

function recorded<A extends ButtonAction | CheckboxesAction>(action: A, o: ClickOptions): BuiltArgs<A> {
  const told: string[] = [];
  const opened: { trigger_id: string; view: unknown }[] = [];
  const respond: RespondFn = (message: string | RespondArguments) => {
    told.push(typeof message === 'string' ? message : (message.text ?? ''));
    return Promise.resolve(new Response(null, { status: 200 }));
  };
  const client = {
    views: { open: (args: { trigger_id: string; view: unknown }) => (opened.push(args), Promise.resolve({ ok: true })) },
  } as unknown as WebClient;
  return { body: bodyOf(action, o), action, client, respond, logger: pino({ level: 'silent' }), told, opened } as unknown as BuiltArgs<A>;
}

export function buildArgs(actionId: string, value: string, o: ClickOptions = {}): BuiltArgs<ButtonAction> {
  const action = {
    type: 'button',
    action_id: actionId,
    block_id: 'b',
    value,
    text: { type: 'plain_text', text: 'x' },
    action_ts: o.actionTs ?? '1700000001.000200',
  } as ButtonAction;
  return recorded(action, o);
}

export function buildCheckboxArgs(
  actionId: string,
  blockId: string,
  selected: readonly string[],
  o: ClickOptions = {},
): BuiltArgs<CheckboxesAction> {
  const action = {
    type: 'checkboxes',
    action_id: actionId,
    block_id: blockId,
    action_ts: o.actionTs ?? '1700000001.000200',
    selected_options: selected.map((value) => ({ value, text: { type: 'plain_text', text: value } })),
  } as unknown as CheckboxesAction;
  return recorded(action, o);
}

export interface BuiltViewArgs {
  ack: (response?: unknown) => Promise<void>;
  body: { user: { id: string } };
  view: { private_metadata: string; state: { values: Record<string, Record<string, { value?: string; selected_user?: string }>> } };
  client: WebClient;
  /** Every ack, with its response (undefined: a plain ack that closes the modal), and when it came. */
  acks: { response: unknown; afterWork: boolean }[];
  /** Ephemeral messages posted after the ack. */
  ephemerals: { channel: string; user: string; text: string }[];
  /** Mark that the handler's work ran (a fake service calls it), so acks can be ordered against it. */
  worked(): void;
}

/** A view submission as Bolt hands it to a listener: the modal's values, its private metadata, and recorders. */
export function buildViewArgs(
  values: Record<string, Record<string, { value?: string; selected_user?: string }>>,
  privateMetadata: string,
  userId = 'UALICE',
): BuiltViewArgs & ViewArgs {
  let worked = false;
  const acks: { response: unknown; afterWork: boolean }[] = [];
  const ephemerals: { channel: string; user: string; text: string }[] = [];
  const client = {
    chat: { postEphemeral: (m: { channel: string; user: string; text: string }) => (ephemerals.push(m), Promise.resolve({ ok: true })) },
  } as unknown as WebClient;
  return {
    ack: (response?: unknown) => (acks.push({ response, afterWork: worked }), Promise.resolve()),
    body: { user: { id: userId } },
    view: { private_metadata: privateMetadata, state: { values } },
    client,
    acks,
    ephemerals,
    worked: () => void (worked = true),
  } as unknown as BuiltViewArgs & ViewArgs; // only the fields the handlers read
}
