// Who and what exists in the sandbox workspace. Fixed lists so the bot's configuration (approvers, channel)
// can be derived from them, and the browser tests can name people and channels without discovering them.

export interface SandboxUser {
  id: string;
  name: string;
  realName: string;
  /** Whether the bot should be configured to treat this person as an approver. */
  approver: boolean;
}

export const SANDBOX_USERS: readonly SandboxUser[] = [
  { id: 'U0ALICE', name: 'alice', realName: 'Alice (on-call SRE)', approver: true },
  { id: 'U0BOB', name: 'bob', realName: 'Bob (security engineer)', approver: true },
  { id: 'U0EVE', name: 'eve', realName: 'Eve (observer)', approver: false },
];

export const SANDBOX_APPROVERS: readonly string[] = SANDBOX_USERS.filter((u) => u.approver).map((u) => u.id);

export interface SandboxChannel {
  id: string;
  name: string;
  /** Who is in it; absent: everyone (a public channel everybody joined). Set: a private channel of these people. */
  members?: readonly string[];
}

/** Whether `userId` is in `channel` (users.conversations answers only those). */
export function isMember(channel: SandboxChannel, userId: string): boolean {
  return channel.members === undefined || channel.members.includes(userId);
}

export const SANDBOX_CHANNELS: readonly SandboxChannel[] = [
  { id: 'C0INCIDENT', name: 'incident' },
  { id: 'C0DRILLS', name: 'drills' },
];

/** The bot's identity in the sandbox: pass botId/botUserId to createApp so Bolt skips auth.test. */
export const SANDBOX_BOT = {
  botId: 'B0CARACAL',
  botUserId: 'U0CARACAL',
  appId: 'A0CARACAL',
  name: 'caracal',
  teamId: 'T0SANDBOX',
  teamDomain: 'caracal-sandbox',
} as const;

/** The message shortcuts of manifest.yml, offered in each message's "…" menu. */
export const SANDBOX_SHORTCUTS: readonly { callbackId: string; name: string }[] = [
  { callbackId: 'add_to_incident_log', name: 'Add to incident log' },
];

/** The slash commands of manifest.yml; any other command is refused like Slack refuses an unknown one. */
export const SANDBOX_COMMANDS: readonly string[] = ['/caracal'];
