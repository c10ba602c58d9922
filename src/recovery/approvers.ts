// Who may confirm, override, approve and run actions: configured Slack user IDs, or members of user groups.
// Group membership is read from Slack (usergroups.users.list) and cached for `cacheMs`. When Slack cannot answer,
// the last membership read is still trusted while it is younger than maxStaleMinutes: for that long a person just
// removed from the group still counts as an approver, and one just added does not yet. Past that age, or with
// nothing cached, the check throws: the approver-only action is refused with a message saying Slack must answer
// first. Configured users never depend on Slack; a group that cannot be read stops the check even when a later
// group would have answered.
import { UserFacingError } from '../errors.ts';
import type { Logger } from '../logger.ts';

export interface ApproverConfig {
  users: readonly string[];
  userGroups: readonly string[];
  /** Oldest cached group membership still trusted when Slack cannot be asked (default 10 minutes). */
  maxStaleMinutes?: number;
}

export function createApproverDirectory(
  config: ApproverConfig,
  deps: {
    /** The members of a user group as Slack has them now (usergroups.users.list); rejects when Slack does not answer. */
    groupMembers: (group: string) => Promise<readonly string[]>;
    logger: Logger;
    cacheMs?: number;
    now?: () => number;
  },
): { isApprover(userId: string): Promise<boolean>; knownApprover(userId: string): boolean | undefined; answersOffline(): boolean } {
  const now = deps.now ?? Date.now;
  const cacheMs = deps.cacheMs ?? 60_000;
  const maxStaleMs = (config.maxStaleMinutes ?? 10) * 60_000;
  const cache = new Map<string, { members: Set<string>; at: number }>();

  async function members(group: string): Promise<Set<string>> {
    const hit = cache.get(group);
    if (hit && now() - hit.at < cacheMs) return hit.members;
    try {
      const set = new Set(await deps.groupMembers(group));
      cache.set(group, { members: set, at: now() });
      return set;
    } catch (err) {
      if (hit && now() - hit.at < maxStaleMs) {
        deps.logger.warn({ err, group, ageMs: now() - hit.at }, 'cannot read user group members; using the cached membership');
        return hit.members;
      }
      deps.logger.error(
        { err, group },
        'cannot read user group members and no recent membership is cached: approver-only actions are refused',
      );
      throw new UserFacingError(
        'target_unavailable',
        `I cannot check who the approvers are right now (Slack does not answer for user group ${group}${hit ? `; what I know is ${Math.round((now() - hit.at) / 60_000)} minutes old` : ''}). Approver-only actions are refused until it answers; try again in a minute.`,
        { cause: err },
      );
    }
  }

  return {
    /** Without any network call: true/false when the configuration or a fresh cache says, undefined otherwise. */
    knownApprover(userId) {
      if (config.users.includes(userId)) return true;
      let unknown = false;
      for (const group of config.userGroups) {
        const hit = cache.get(group);
        if (!hit || now() - hit.at >= cacheMs) unknown = true;
        else if (hit.members.has(userId)) return true;
      }
      return unknown ? undefined : false;
    },
    /** Whether every approver question is answered now without asking Slack (configured users, fresh group caches). */
    answersOffline() {
      return config.userGroups.every((group) => {
        const hit = cache.get(group);
        return hit !== undefined && now() - hit.at < cacheMs;
      });
    },
    async isApprover(userId) {
      if (config.users.includes(userId)) return true;
      for (const group of config.userGroups) if ((await members(group)).has(userId)) return true;
      return false;
    },
  };
}
