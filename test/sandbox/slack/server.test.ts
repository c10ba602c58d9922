// The sandbox server's own routes: the page and its files (no way out of the UI folder), the change feed,
// the page's interact endpoint, and routes mounted later with addRoute.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_APPROVERS, SANDBOX_SHORTCUTS, SANDBOX_USERS, type SandboxSlack } from '../../../src/sandbox/slack/server.ts';
import { client, sandbox } from './helpers.ts';

let s: SandboxSlack;
beforeEach(async () => {
  s = await sandbox();
});
afterEach(async () => s.close());

const interact = (body: unknown, contentType = 'application/json') =>
  fetch(`${s.url}/sandbox/interact`, { method: 'POST', headers: { 'content-type': contentType }, body: JSON.stringify(body) });

describe('sandbox server', () => {
  it('serves the page with a SANDBOX banner and a policy that keeps it off the network', async () => {
    const res = await fetch(`${s.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await res.text()).toContain('SANDBOX');
    expect((await fetch(`${s.url}/ui/blocks.js`)).headers.get('content-type')).toContain('text/javascript');
    for (const path of ['/ui/..%2fslack%2fserver.ts', '/ui/blocks.d.ts', '/ui/nope.js'])
      expect((await fetch(`${s.url}${path}`)).status).toBe(404);
  });

  it('pings the event stream on every workspace change', async () => {
    const res = await fetch(`${s.url}/sandbox/events`);
    const reader = res.body!.getReader();
    const seen: string[] = [];
    const read = async () => {
      const { value } = await reader.read();
      seen.push(new TextDecoder().decode(value));
      return seen.join('');
    };
    while (!(await read()).includes('"version":0')) {
      /* the first ping carries the current version */
    }
    await client(s).chat.postMessage({ channel: 'C0INCIDENT', text: 'hello' });
    while (!(await read()).includes('"version":1')) {
      /* next ping */
    }
    await reader.cancel();
  });

  it('runs page actions: a plain message, a dismissal; refuses non-JSON and malformed actions', async () => {
    expect(await (await interact({ type: 'message', user: 'U0EVE', channel: 'C0INCIDENT', text: 'is it down?' })).json()).toMatchObject({
      ok: true,
    });
    expect(s.workspace.history('C0INCIDENT')).toMatchObject([{ user: 'U0EVE', text: 'is it down?' }]);
    const e = s.workspace.postEphemeral({ channel: 'C0INCIDENT', user: 'U0EVE', text: 'note', blocks: [] });
    await interact({ type: 'dismiss', user: 'U0BOB', ts: e.ts });
    expect(s.workspace.ephemeral(e.ts)).toBeDefined(); // only its own person can dismiss it
    await interact({ type: 'dismiss', user: 'U0EVE', ts: e.ts });
    expect(s.workspace.ephemeral(e.ts)).toBeUndefined();
    expect((await interact({ type: 'message' }, 'text/plain')).status).toBe(415);
    expect((await interact({ type: 'explode', user: 'U0EVE' })).status).toBe(400);
  });

  it('reports a bot that is not connected instead of hanging', async () => {
    const res = await (await interact({ type: 'command', user: 'U0ALICE', channel: 'C0INCIDENT', text: '/caracal status' })).json();
    expect(res).toMatchObject({ ok: false, sent: false, error: 'bot_not_connected' });
  });

  it("mounts extra routes before its own (the page's extension module included)", async () => {
    expect(await (await fetch(`${s.url}/sandbox/ext.js`)).text()).toContain('No sandbox extension');
    s.addRoute('GET', '/sandbox/ext.js', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end('export {};');
    });
    expect(await (await fetch(`${s.url}/sandbox/ext.js`)).text()).toBe('export {};');
    s.addRoute('POST', '/sandbox/faults', (_req, res) => {
      res.writeHead(204);
      res.end();
    });
    s.addRoute('GET', /^\/sandbox\/faults\/[a-z]+$/, (_req, res, url) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(url.pathname);
    });
    expect((await fetch(`${s.url}/sandbox/faults`, { method: 'POST' })).status).toBe(204);
    expect(await (await fetch(`${s.url}/sandbox/faults/redis`)).text()).toBe('/sandbox/faults/redis');
  });

  it('has three people, two of them approvers, and the shortcuts of manifest.yml', () => {
    expect(SANDBOX_USERS.map((u) => [u.id, u.name, u.approver])).toEqual([
      ['U0ALICE', 'alice', true],
      ['U0BOB', 'bob', true],
      ['U0EVE', 'eve', false],
    ]);
    expect(SANDBOX_APPROVERS).toEqual(['U0ALICE', 'U0BOB']);
    const manifest = parse(readFileSync(new URL('../../../manifest.yml', import.meta.url), 'utf8')) as {
      features: { shortcuts: { callback_id: string; name: string }[] };
    };
    expect(SANDBOX_SHORTCUTS).toEqual(manifest.features.shortcuts.map((x) => ({ callbackId: x.callback_id, name: x.name })));
  });
});
