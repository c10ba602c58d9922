// `POST /api/<method>`: the Slack Web API as the bot's @slack/web-api client calls it (form body, nested JSON
// as strings, token in the Authorization header), answering with Slack's shapes and Slack's error codes. Injected
// faults (faults.ts: refusals, 429, 5xx, latency) are applied before the call is answered.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fail, type ApiContext, type ApiMethod } from './api-context.ts';
import { CHAT_METHODS } from './api-chat.ts';
import { CONVERSATION_METHODS } from './api-conversations.ts';
import type { SlackFaults } from './faults.ts';
import { VIEW_METHODS } from './api-views.ts';
import { BodyTooLarge, parseArguments, readBody, sendJson } from './http.ts';
import { str, type JsonObject } from './json.ts';
import { isMember, SANDBOX_BOT } from './people.ts';

export type { ApiContext } from './api-context.ts';

export interface WebApiOptions extends ApiContext {
  botToken: string;
  faults?: SlackFaults;
}

const OTHER_METHODS: Record<string, ApiMethod> = {
  'auth.test': (_args, { baseUrl }) => ({
    ok: true,
    url: `${baseUrl()}/`,
    team: 'Caracal Sandbox',
    user: SANDBOX_BOT.name,
    team_id: SANDBOX_BOT.teamId,
    user_id: SANDBOX_BOT.botUserId,
    bot_id: SANDBOX_BOT.botId,
    is_enterprise_install: false,
  }),
  'conversations.info': (args, { workspace }) => {
    const channel = workspace.channel(str(args.channel) ?? '');
    if (!channel) return fail('channel_not_found');
    return {
      ok: true,
      channel: {
        id: channel.id,
        name: channel.name,
        is_channel: true,
        is_group: false,
        is_im: false,
        is_private: false,
        is_archived: false,
        is_member: true,
        created: 1764320000,
        context_team_id: SANDBOX_BOT.teamId,
      },
    };
  },
  // With a bot token and `user`: the channels that person is in (private ones only when they are a member), paged
  // by `limit` and `cursor` like Slack's cursor pagination.
  'users.conversations': (args, { workspace }) => {
    const userId = str(args.user) ?? '';
    if (!workspace.user(userId)) return fail('user_not_found');
    const types = (str(args.types) ?? 'public_channel').split(',');
    const visible = workspace.channels.filter(
      (c) => isMember(c, userId) && types.includes(c.members ? 'private_channel' : 'public_channel'),
    );
    const limit = Math.min(Math.max(Number(str(args.limit) ?? 100) || 100, 1), 1000);
    const start =
      Number(
        Buffer.from(str(args.cursor) ?? '', 'base64')
          .toString()
          .replace(/^offset:/, ''),
      ) || 0;
    const page = visible.slice(start, start + limit);
    const next = start + limit < visible.length ? Buffer.from(`offset:${start + limit}`).toString('base64') : '';
    return {
      ok: true,
      channels: page.map((c) => ({
        id: c.id,
        name: c.name,
        is_channel: !c.members,
        is_group: false,
        is_private: Boolean(c.members),
        is_archived: false,
        is_member: true,
      })),
      response_metadata: { next_cursor: next },
    };
  },
  'usergroups.users.list': (args, { usergroups }) => {
    const members = usergroups[str(args.usergroup) ?? ''];
    return members ? { ok: true, users: [...members] } : fail('no_such_subteam');
  },
  'users.info': (args, { workspace }) => {
    const user = workspace.user(str(args.user) ?? '');
    if (!user) return fail('user_not_found');
    return {
      ok: true,
      user: {
        id: user.id,
        team_id: SANDBOX_BOT.teamId,
        name: user.name,
        real_name: user.realName,
        is_bot: false,
        deleted: false,
        profile: { display_name: user.name, real_name: user.realName },
      },
    };
  },
};

export const WEB_API_METHODS: Readonly<Record<string, ApiMethod>> = {
  ...CHAT_METHODS,
  ...CONVERSATION_METHODS,
  ...VIEW_METHODS,
  ...OTHER_METHODS,
};

export interface ApiAnswer {
  status: number;
  body: JsonObject;
}

/** One call, without HTTP: unknown method first (404, as Slack), then the token, then the method itself. */
export function callWebApi(options: WebApiOptions, method: string, args: JsonObject, authorization: string | undefined): ApiAnswer {
  const handler = Object.hasOwn(WEB_API_METHODS, method) ? WEB_API_METHODS[method] : undefined;
  if (!handler) return { status: 404, body: fail('unknown_method') };
  const token = authorization?.replace(/^Bearer\s+/i, '') || str(args.token);
  if (!token) return { status: 200, body: fail('not_authed') };
  if (token !== options.botToken) return { status: 200, body: fail('invalid_auth') };
  return { status: 200, body: handler(args, options) };
}

export function webApiHandler(options: WebApiOptions): (req: IncomingMessage, res: ServerResponse, method: string) => Promise<void> {
  return async (req, res, method) => {
    try {
      if (req.method !== 'POST' && req.method !== 'GET') return sendJson(res, 405, fail('method_not_allowed'));
      const raw = await readBody(req);
      const query = Object.fromEntries(new URL(req.url ?? '/', 'http://sandbox').searchParams);
      const args = { ...query, ...parseArguments(req.headers['content-type'], raw) };
      const fault = options.faults?.decide({ method, args });
      if (fault && fault.delayMs > 0) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault?.answer) return sendJson(res, fault.answer.status, fault.answer.body, fault.answer.headers);
      const answer = callWebApi(options, method, args, req.headers.authorization);
      sendJson(res, answer.status, answer.body);
    } catch (err) {
      if (err instanceof BodyTooLarge) return sendJson(res, 413, fail('request_too_large'));
      sendJson(res, 500, fail('internal_error'));
    }
  };
}
