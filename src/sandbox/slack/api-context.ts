// What every emulated Web API method gets, and how it fails: Slack's `{ok:false, error}` with the detail lines
// Slack adds for block errors (`errors` and `response_metadata.messages`).
import type { JsonObject } from './json.ts';
import type { Triggers } from './triggers.ts';
import type { Invalid } from './validate.ts';
import type { Workspace } from './workspace.ts';

export interface ApiContext {
  workspace: Workspace;
  triggers: Triggers;
  /** Usergroup id -> member user ids, for usergroups.users.list. */
  usergroups: Readonly<Record<string, readonly string[]>>;
  /** The sandbox's own base URL (auth.test answers it as the workspace URL). */
  baseUrl: () => string;
}

export type ApiMethod = (args: JsonObject, ctx: ApiContext) => JsonObject;

export function fail(error: string | Invalid): JsonObject {
  if (typeof error === 'string') return { ok: false, error };
  if (error.errors.length === 0) return { ok: false, error: error.error };
  return { ok: false, error: error.error, errors: error.errors, response_metadata: { messages: error.errors.map((e) => `[ERROR] ${e}`) } };
}
