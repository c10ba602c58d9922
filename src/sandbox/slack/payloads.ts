// Interaction payloads shaped like Slack's (docs/slack-platform.md §3), built from what the sandbox stores.
import { isObject, objects, str, textOf, type JsonObject } from './json.ts';
import { SANDBOX_BOT, type SandboxChannel, type SandboxUser } from './people.ts';

/** Slack still sends the deprecated verification token; Bolt ignores it. */
const TOKEN = 'sandbox-verification-token';

let sequence = 0;
/** Like Slack's: seconds with six decimals, unique per click (two clicks in one millisecond still differ). */
export function actionTs(now = Date.now()): string {
  sequence = (sequence + 1) % 1000;
  return `${Math.floor(now / 1000)}.${String((now % 1000) * 1000 + sequence).padStart(6, '0')}`;
}

/** The fields every interactivity payload carries. */
export function common(user: SandboxUser, triggerId: string): JsonObject {
  return {
    team: { id: SANDBOX_BOT.teamId, domain: SANDBOX_BOT.teamDomain },
    user: { id: user.id, username: user.name, name: user.name, team_id: SANDBOX_BOT.teamId },
    api_app_id: SANDBOX_BOT.appId,
    token: TOKEN,
    trigger_id: triggerId,
    is_enterprise_install: false,
    enterprise: null,
  };
}

export function commandFields(
  user: SandboxUser,
  channel: SandboxChannel,
  command: string,
  text: string,
  responseUrl: string,
  triggerId: string,
): Record<string, string> {
  return {
    token: TOKEN,
    team_id: SANDBOX_BOT.teamId,
    team_domain: SANDBOX_BOT.teamDomain,
    channel_id: channel.id,
    channel_name: channel.name,
    user_id: user.id,
    user_name: user.name,
    command,
    text,
    api_app_id: SANDBOX_BOT.appId,
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: triggerId,
  };
}

export interface ElementMatch {
  block: JsonObject;
  element: JsonObject;
}

export interface ElementQuery {
  actionId: string;
  blockId?: string | undefined;
  /** Tells apart buttons that share an action_id (the bot's remediation buttons differ only by value). */
  value?: string | undefined;
  /** Or by their visible text. */
  text?: string | undefined;
}

function elementsOf(block: JsonObject): JsonObject[] {
  if (block.type === 'actions' || block.type === 'context') return objects(block.elements);
  if (block.type === 'section' && isObject(block.accessory)) return [block.accessory];
  if (block.type === 'input' && isObject(block.element)) return [block.element];
  return [];
}

export function findElement(blocks: readonly JsonObject[], q: ElementQuery): ElementMatch | undefined {
  for (const block of blocks) {
    if (q.blockId !== undefined && block.block_id !== q.blockId) continue;
    for (const element of elementsOf(block)) {
      if (element.action_id !== q.actionId) continue;
      if (q.value !== undefined && element.value !== q.value) continue;
      if (q.text !== undefined && textOf(element.text) !== q.text) continue;
      return { block, element };
    }
  }
  return undefined;
}

/** The `actions[0]` of a block_actions payload for a click on `element` (checkboxes: the full new selection). */
export function actionOf({ block, element }: ElementMatch, selected: readonly string[] | undefined): JsonObject {
  const base = { type: element.type, action_id: element.action_id, block_id: block.block_id, action_ts: actionTs() };
  if (element.type === 'button') {
    return {
      ...base,
      text: element.text,
      ...(str(element.value) !== undefined ? { value: element.value } : {}),
      ...(element.style ? { style: element.style } : {}),
    };
  }
  if (element.type === 'checkboxes') return { ...base, selected_options: selectedOptions(element, selected) };
  return base;
}

function selectedOptions(element: JsonObject, selected: readonly string[] | undefined): JsonObject[] {
  const chosen: readonly unknown[] = selected ?? objects(element.initial_options).map((o) => o.value);
  return objects(element.options).filter((o) => chosen.includes(o.value));
}

/** `state.values` of a message: the current selection of each stateful element, the clicked one included. */
export function messageState(blocks: readonly JsonObject[], clicked: ElementMatch, selected: readonly string[] | undefined): JsonObject {
  const values: Record<string, Record<string, JsonObject>> = {};
  for (const block of blocks) {
    for (const element of elementsOf(block)) {
      if (element.type !== 'checkboxes') continue;
      const blockId = String(block.block_id);
      const mine = element === clicked.element ? selected : undefined;
      values[blockId] = {
        ...values[blockId],
        [String(element.action_id)]: { type: 'checkboxes', selected_options: selectedOptions(element, mine) },
      };
    }
  }
  return values;
}

export type Draft = Record<string, Record<string, string>>;

/** A modal's `state.values` from what was typed, and the checks Slack makes before it sends anything. */
export function viewState(blocks: readonly JsonObject[], draft: Draft): { values: JsonObject; errors: Record<string, string> } {
  const values: Record<string, JsonObject> = {};
  const errors: Record<string, string> = {};
  for (const block of blocks) {
    if (block.type !== 'input' || !isObject(block.element)) continue;
    const blockId = String(block.block_id);
    const el = block.element;
    const actionId = String(el.action_id);
    const value = draft[blockId]?.[actionId] ?? '';
    // A users_select answers with the picked person's id (the page offers only the workspace's people).
    values[blockId] = {
      [actionId]:
        el.type === 'users_select'
          ? { type: el.type, selected_user: value === '' ? null : value }
          : { type: el.type, value: value === '' ? null : value },
    };
    const min = typeof el.min_length === 'number' ? el.min_length : 0;
    const max = typeof el.max_length === 'number' ? el.max_length : Infinity;
    if (value.trim() === '' && block.optional !== true) errors[blockId] = 'Please complete this required field.';
    else if (value !== '' && value.length < min) errors[blockId] = `Please enter at least ${min} characters.`;
    else if (value.length > max) errors[blockId] = `Please enter no more than ${max} characters.`;
  }
  return { values, errors };
}
