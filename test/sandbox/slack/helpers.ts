// Shared set-up for the sandbox Slack tests: a started sandbox, a WebClient pointed at it like the bot's, fixtures.
import { LogLevel, WebClient, type Logger } from '@slack/web-api';
import { startSandboxSlack, type SandboxSlack, type SandboxSlackOptions } from '../../../src/sandbox/slack/server.ts';
import { GATES } from '../../../src/domain/gates.ts';
import type { GateState, RunState } from '../../../src/domain/run.ts';

export const BOT_TOKEN = 'xoxb-sandbox-test-token';
export const SIGNING_SECRET = 'sandbox-test-signing-secret';

export async function sandbox(extra: Partial<SandboxSlackOptions> = {}): Promise<SandboxSlack> {
  return startSandboxSlack({
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    usergroups: { S0APPROVERS: ['U0ALICE', 'U0BOB'] },
    ...extra,
  });
}

/** The client logs Slack's error details (as it does against Slack); the tests assert them instead. */
export const quietLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

/** The bot's client, as createApp builds it: the sandbox through slackApiUrl, no retries. */
export function client(s: SandboxSlack, token = BOT_TOKEN): WebClient {
  return new WebClient(token, { slackApiUrl: s.apiUrl, retryConfig: { retries: 0 }, logger: quietLogger });
}

/** The Slack error code of a failed call (WebAPIPlatformError carries it in data.error). */
export async function slackError(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    const data = (err as { data?: { error?: string } }).data;
    if (data?.error) return data.error;
    throw err;
  }
  throw new Error('the call succeeded');
}

export async function waitFor(predicate: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function section(text: string): Record<string, unknown> {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

/** An active recovery run with `open` as the open gate (earlier gates confirmed). */
export function runState(open: GateState['gate'] = 'freeze', kind: RunState['kind'] = 'recovery'): RunState {
  const at = new Date('2026-11-28T12:00:00Z');
  const openIndex = GATES.indexOf(open);
  const gates: GateState[] = GATES.map((gate, i) => ({
    gate,
    status: i < openIndex ? 'confirmed' : i === openIndex ? 'open' : 'locked',
    claimedBy: i === openIndex ? 'U0BOB' : undefined,
    doneBy: i < openIndex ? 'U0ALICE' : undefined,
    doneAt: i < openIndex ? at : undefined,
    openedAt: i <= openIndex ? at : undefined,
    checklist: gate === 'freeze' ? { rollouts: 'U0ALICE' } : {},
    checks:
      gate === 'storage'
        ? [{ checkId: 'postgres.reachable', status: 'fail', summary: 'connect ECONNREFUSED <x>', startedAt: at, finishedAt: at }]
        : [],
    confirmVotes: [],
    override: undefined,
  }));
  return {
    id: 'run1',
    channelId: 'C0INCIDENT',
    title: 'Redis outage',
    kind,
    scenario: kind === 'drill' ? 'redis-outage' : undefined,
    status: 'active',
    startedBy: 'U0ALICE',
    startedAt: at,
    endedAt: undefined,
    dashboardTs: undefined,
    version: 3,
    gates,
    drillMarks: {},
  };
}
