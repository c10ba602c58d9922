// views.open / views.push / views.update / views.publish. A modal opens only with a trigger_id the sandbox issued
// less than 3 s ago (Slack's rule), for the person whose interaction produced it.
import { fail, type ApiMethod } from './api-context.ts';
import { withBlockIds } from './content.ts';
import { isObject, objects, parseJsonField, str, type JsonObject } from './json.ts';
import { SANDBOX_BOT } from './people.ts';
import { checkView } from './validate.ts';
import type { StoredView } from './workspace.ts';

/** A stored view as Slack shows it in answers and in view_submission payloads. */
export function slackView(stored: StoredView, values: JsonObject = {}): JsonObject {
  return {
    type: 'modal',
    private_metadata: '',
    callback_id: '',
    external_id: '',
    clear_on_close: false,
    notify_on_close: false,
    ...stored.view,
    id: stored.id,
    team_id: SANDBOX_BOT.teamId,
    app_id: SANDBOX_BOT.appId,
    bot_id: SANDBOX_BOT.botId,
    app_installed_team_id: SANDBOX_BOT.teamId,
    hash: stored.hash,
    root_view_id: stored.id,
    previous_view_id: null,
    state: { values },
  };
}

/** The view argument (a JSON string in form bodies); its blocks get generated block_ids where they have none. */
function readView(args: JsonObject): JsonObject | Error {
  const view = typeof args.view === 'string' ? parseJsonField(args.view) : args.view;
  if (!isObject(view)) return new Error('invalid view');
  return Array.isArray(view.blocks) && view.blocks.every(isObject) ? { ...view, blocks: withBlockIds(objects(view.blocks)) } : view;
}

const open: ApiMethod = (args, { workspace, triggers }) => {
  const trigger = triggers.consume(str(args.trigger_id));
  if (!trigger.ok) return fail(trigger.error);
  const view = readView(args);
  if (view instanceof Error) return fail('invalid_arguments');
  const invalid = checkView(view, 'modal');
  if (invalid) return fail(invalid);
  return { ok: true, view: slackView(workspace.openModal(trigger.user, view)) };
};

const update: ApiMethod = (args, { workspace }) => {
  const id = str(args.view_id) ?? '';
  const stored = workspace.findView(id);
  if (!stored) return fail('not_found');
  const hash = str(args.hash);
  if (hash && hash !== stored.hash) return fail('hash_conflict');
  const view = readView(args);
  if (view instanceof Error) return fail('invalid_arguments');
  const invalid = checkView(view, view.type === 'home' ? 'home' : 'modal');
  if (invalid) return fail(invalid);
  return { ok: true, view: slackView(workspace.replaceView(id, view)!) };
};

const publish: ApiMethod = (args, { workspace }) => {
  const user = workspace.user(str(args.user_id) ?? '');
  if (!user) return fail('user_not_found');
  const view = readView(args);
  if (view instanceof Error) return fail('invalid_arguments');
  const invalid = checkView(view, 'home');
  if (invalid) return fail(invalid);
  return { ok: true, view: slackView(workspace.publishHome(user.id, view)) };
};

export const VIEW_METHODS: Record<string, ApiMethod> = {
  'views.open': open,
  // One modal per person in the sandbox: a pushed view replaces the open one (no stack to go back to).
  'views.push': open,
  'views.update': update,
  'views.publish': publish,
};
