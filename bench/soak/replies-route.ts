// conversations.replies for the soak's Slack emulation (the sandbox does not serve it): the dispatcher reads a thread
// back after a crash to find entries an earlier attempt already posted. Answered from the same workspace, with
// Slack's paging (limit, cursor) and the parent message first.
import type { IncomingMessage } from 'node:http';
import { slackMessage } from '../../src/sandbox/slack/content.ts';
import type { SandboxSlack } from '../../src/sandbox/slack/server.ts';

async function formOf(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

/** Mounts the method; the returned counter says how often it was called. */
export function serveReplies(sandbox: SandboxSlack, botToken: string): { calls: number } {
  const counter = { calls: 0 };
  sandbox.addRoute('POST', '/api/conversations.replies', async (req, res) => {
    counter.calls++;
    const args = await formOf(req);
    const answer = (body: unknown): void => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${botToken}`) return answer({ ok: false, error: 'invalid_auth' });
    const parent = sandbox.workspace.message(args.channel ?? '', args.ts ?? '');
    if (!parent) return answer({ ok: false, error: 'thread_not_found' });
    const all = [parent, ...sandbox.workspace.replies(parent.channel, parent.ts)];
    const start = Number(args.cursor || 0);
    const limit = Math.min(Number(args.limit) || 1000, 1000);
    const next = start + limit < all.length ? String(start + limit) : '';
    answer({ ok: true, messages: all.slice(start, start + limit).map(slackMessage), has_more: next !== '', response_metadata: { next_cursor: next } });
  });
  return counter;
}
