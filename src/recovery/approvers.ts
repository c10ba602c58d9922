// Who may confirm, override, approve and run actions: configured Slack user IDs, or members of user groups.
// Group membership is read from Slack (usergroups.users.list) and cached briefly.
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.ts';

export interface ApproverConfig {
  users: readonly string[];
  userGroups: readonly string[];
}

export function createApproverDirectory(
  config: ApproverConfig,
  deps: { client: () => WebClient; logger: Logger; cacheMs?: number; now?: () => number },
): { isApprover(userId: string): Promise<boolean> } {
  const now = deps.now ?? Date.now;
  const cacheMs = deps.cacheMs ?? 60_000;
  const cache = new Map<string, { members: Set<string>; at: number }>();

  async function members(group: string): Promise<Set<string>> {
    const hit = cache.get(group);
    if (hit && now() - hit.at < cacheMs) return hit.members;
    try {
      const res = await deps.client().usergroups.users.list({ usergroup: group });
      const set = new Set(res.users ?? []);
      cache.set(group, { members: set, at: now() });
      return set;
    } catch (err) {
      // Fail closed: if Slack cannot tell us, the group grants nothing (a stale cache still counts).
      deps.logger.warn({ err, group }, 'cannot read user group members');
      return hit?.members ?? new Set();
    }
  }

  return {
    async isApprover(userId) {
      if (config.users.includes(userId)) return true;
      for (const group of config.userGroups) if ((await members(group)).has(userId)) return true;
      return false;
    },
  };
}
