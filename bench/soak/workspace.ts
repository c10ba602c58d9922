// The Slack side of the soak: the sandbox's Web API emulation with 10 channels and 20 people, and one
// response_url per request so every ephemeral answer can be traced to the click that caused it.
import type { IncomingMessage } from 'node:http';
import { startSandboxSlack, type SandboxSlack } from '../../src/sandbox/slack/server.ts';
import type { SandboxChannel, SandboxUser } from '../../src/sandbox/slack/people.ts';
import type { SandboxMessage } from '../../src/sandbox/slack/workspace.ts';

export const SOAK_TOKEN = 'xoxb-soak-token-0123456789';
export const SOAK_SECRET = 'soak-signing-secret-0123456789';

const pad = (n: number) => String(n).padStart(2, '0');
export const SOAK_USERS: readonly SandboxUser[] = Array.from({ length: 20 }, (_, i) => ({
  id: `U0SOAK${pad(i + 1)}`,
  name: `user${pad(i + 1)}`,
  realName: `Soak user ${i + 1}`,
  // Every other person is an approver: overrides need two different ones, and non-approvers get denied.
  approver: i % 2 === 0,
}));
export const SOAK_CHANNELS: readonly SandboxChannel[] = Array.from({ length: 10 }, (_, i) => ({
  id: `C0SOAK${pad(i + 1)}`,
  name: `soak-${pad(i + 1)}`,
}));
export const SOAK_APPROVERS = SOAK_USERS.filter((u) => u.approver).map((u) => u.id);

export interface SoakSlack {
  sandbox: SandboxSlack;
  /** response_url for one request; what the bot posts to it is kept under `key`. */
  responseUrl(key: string): string;
  /** Ephemeral answers by request key, in arrival order. */
  responses: Map<string, string[]>;
  onResponse(listener: (key: string) => void): () => void;
  /** Dashboard versions (from block ids) in the order each channel's dashboard showed them. */
  shownVersions: Map<string, number[]>;
  /** conversations.replies calls: the dispatcher looking for entries posted by an attempt it could not record. */
  threadLookups(): number;
  /** Every request body the bot sent to Slack (Web API arguments and response_url answers), for the secret scan. */
  bodies: string[];
}

async function readJson(req: IncomingMessage): Promise<{ raw: string; body: { text?: string } }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  const raw = Buffer.concat(chunks).toString('utf8');
  try {
    return { raw, body: JSON.parse(raw) as { text?: string } };
  } catch {
    return { raw, body: {} };
  }
}

export async function startSoakSlack(options: { random?: () => number } = {}): Promise<SoakSlack> {
  const sandbox = await startSandboxSlack({
    botToken: SOAK_TOKEN,
    signingSecret: SOAK_SECRET,
    ...(options.random ? { random: options.random } : {}),
  });
  const bodies: string[] = [];
  // The `token` argument is the credential itself (auth.test may send it in the body): every other field is content.
  sandbox.faults.observe((call) => bodies.push(JSON.stringify({ ...call.args, token: undefined })));
  // The sandbox's fixed people and channels are fields of its Workspace: replaced here (the soak needs 10 channels
  // and 20 people) because startSandboxSlack has no option for them.
  Object.defineProperty(sandbox.workspace, 'users', { value: SOAK_USERS });
  Object.defineProperty(sandbox.workspace, 'channels', { value: SOAK_CHANNELS });

  const responses = new Map<string, string[]>();
  const listeners = new Set<(key: string) => void>();
  sandbox.addRoute('POST', /^\/soak\/response\//, async (req, res, url) => {
    const key = decodeURIComponent(url.pathname.slice('/soak/response/'.length));
    const { raw, body } = await readJson(req);
    bodies.push(raw);
    responses.set(key, [...(responses.get(key) ?? []), body.text ?? '']);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    for (const l of listeners) l(key);
  });

  // Each dashboard post or update: note which run version it shows (block ids carry it), to prove it never goes back.
  const shownVersions = new Map<string, number[]>();
  const ws = sandbox.workspace;
  const note = (m: SandboxMessage | undefined): void => {
    const id = m?.blocks.map((b) => (typeof b.block_id === 'string' ? b.block_id : '')).find((b) => b.startsWith('gate_freeze_v'));
    const version = id ? Number(/^gate_freeze_v(\d+)_/.exec(id)?.[1]) : NaN;
    if (!m || !Number.isFinite(version)) return;
    shownVersions.set(m.ts, [...(shownVersions.get(m.ts) ?? []), version]);
  };
  const post = ws.post.bind(ws);
  const update = ws.update.bind(ws);
  ws.post = (message) => {
    const m = post(message);
    note(m);
    return m;
  };
  ws.update = (channel, ts, change) => {
    const m = update(channel, ts, change);
    note(m);
    return m;
  };

  return {
    sandbox,
    responseUrl: (key) => `${sandbox.url}/soak/response/${encodeURIComponent(key)}`,
    responses,
    onResponse(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    shownVersions,
    threadLookups: () => sandbox.faults.counts.get('conversations.replies') ?? 0,
    bodies,
  };
}
