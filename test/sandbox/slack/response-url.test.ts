// response_url semantics, as Slack applies what respond() sends: ephemeral by default and only to the person who
// acted, in_channel, replace_original / delete_original on the source message, at most 5 uses, 30 minutes.
import { describe, expect, it } from 'vitest';
import { ResponseUrls } from '../../../src/sandbox/slack/response-url.ts';
import { SANDBOX_BOT, Workspace } from '../../../src/sandbox/slack/workspace.ts';

function setup() {
  let clock = 1_764_320_000_000;
  const workspace = new Workspace(() => clock);
  const urls = new ResponseUrls(
    workspace,
    () => 'http://sandbox',
    () => clock,
  );
  const idOf = (url: string) => url.split('/').pop()!;
  return { workspace, urls, idOf, advance: (ms: number) => (clock += ms) };
}

describe('response_url', () => {
  it('is ephemeral by default and shown only to the person who acted', () => {
    const { workspace, urls, idOf } = setup();
    const id = idOf(urls.issue('U0BOB', 'C0INCIDENT', { kind: 'command' }));
    expect(urls.handle(id, { text: 'only for bob' })).toEqual({ status: 200, body: { ok: true } });
    expect(workspace.ephemeralsFor('U0BOB', 'C0INCIDENT').map((e) => e.text)).toEqual(['only for bob']);
    expect(workspace.ephemeralsFor('U0ALICE')).toEqual([]);
    expect(workspace.history('C0INCIDENT')).toEqual([]);
  });

  it('posts in the channel with response_type in_channel', () => {
    const { workspace, urls, idOf } = setup();
    const id = idOf(urls.issue('U0BOB', 'C0INCIDENT', { kind: 'command' }));
    urls.handle(id, { response_type: 'in_channel', text: 'for everyone' });
    expect(workspace.history('C0INCIDENT')).toMatchObject([{ text: 'for everyone', botId: SANDBOX_BOT.botId }]);
  });

  it('replaces the clicked message with replace_original, keeping its ts', () => {
    const { workspace, urls, idOf } = setup();
    const msg = workspace.post({ channel: 'C0INCIDENT', botId: SANDBOX_BOT.botId, text: 'Approve?', blocks: [] });
    const id = idOf(urls.issue('U0ALICE', 'C0INCIDENT', { kind: 'message', ts: msg.ts }));
    urls.handle(id, { replace_original: true, text: 'Approved' });
    expect(workspace.history('C0INCIDENT')).toMatchObject([{ ts: msg.ts, text: 'Approved' }]);
  });

  it("replaces an ephemeral message in place, and a command's earlier answer", () => {
    const { workspace, urls, idOf } = setup();
    const e = workspace.postEphemeral({ channel: 'C0INCIDENT', user: 'U0EVE', text: 'pick one', blocks: [] });
    urls.handle(idOf(urls.issue('U0EVE', 'C0INCIDENT', { kind: 'ephemeral', ts: e.ts })), { replace_original: true, text: 'picked' });
    expect(workspace.ephemeralsFor('U0EVE').map((x) => [x.ts, x.text])).toEqual([[e.ts, 'picked']]);
    const id = idOf(urls.issue('U0EVE', 'C0INCIDENT', { kind: 'command' }));
    urls.handle(id, { text: 'working…' });
    urls.handle(id, { replace_original: true, text: 'done' });
    expect(workspace.ephemeralsFor('U0EVE').map((x) => x.text)).toEqual(['picked', 'done']);
  });

  it('deletes the source message with delete_original', () => {
    const { workspace, urls, idOf } = setup();
    const msg = workspace.post({ channel: 'C0INCIDENT', botId: SANDBOX_BOT.botId, text: 'gone soon', blocks: [] });
    urls.handle(idOf(urls.issue('U0ALICE', 'C0INCIDENT', { kind: 'message', ts: msg.ts })), { delete_original: true });
    expect(workspace.history('C0INCIDENT')).toEqual([]);
  });

  it('works 5 times, then answers 404; expires after 30 minutes; unknown ids are 404', () => {
    const { urls, idOf, advance } = setup();
    const id = idOf(urls.issue('U0ALICE', 'C0INCIDENT', { kind: 'command' }));
    for (let i = 0; i < 5; i++) expect(urls.handle(id, { text: `use ${i + 1}` }).status).toBe(200);
    expect(urls.handle(id, { text: 'use 6' })).toEqual({ status: 404, body: 'used_url' });
    const later = idOf(urls.issue('U0ALICE', 'C0INCIDENT', { kind: 'command' }));
    advance(30 * 60 * 1000 + 1);
    expect(urls.handle(later, { text: 'late' })).toEqual({ status: 404, body: 'expired_url' });
    expect(urls.handle('nope', { text: 'x' }).status).toBe(404);
  });

  it('validates what it is sent like the Web API does', () => {
    const { urls, idOf } = setup();
    const id = idOf(urls.issue('U0ALICE', 'C0INCIDENT', { kind: 'command' }));
    expect(urls.handle(id, { text: 'x', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) })).toEqual({
      status: 400,
      body: 'invalid_blocks',
    });
    expect(urls.handle(id, {})).toEqual({ status: 400, body: 'no_text' });
    expect(urls.handle(id, undefined)).toEqual({ status: 400, body: 'invalid_payload' });
  });
});
