// The page's Block Kit and mrkdwn renderer (plain browser JS, imported here as an ES module): safe escaping,
// Slack's formatting, every block and element type the bot sends, raw JSON for anything else.
import { describe, expect, it } from 'vitest';
import { mrkdwn, renderBlocks, formatDate } from '../../../src/sandbox/ui/blocks.js';
import { timelineHtml } from '../../../src/sandbox/ui/messages.js';
import { statusReportMessage } from '../../../src/blocks/status-report.ts';
import { runDashboardMessage } from '../../../src/blocks/run-dashboard.ts';
import { overrideModal } from '../../../src/blocks/override-modal.ts';
import { runState } from './helpers.ts';

const users = { U0ALICE: 'alice', U0BOB: 'bob' };

describe('mrkdwn', () => {
  it('escapes HTML: raw tags, Slack-escaped tags, attributes and unsafe links never become markup', () => {
    expect(mrkdwn('<script>alert(1)</script>')).not.toContain('<script');
    expect(mrkdwn('&lt;script&gt;alert(1)&lt;/script&gt;')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mrkdwn('<img src=x onerror=alert(1)>')).not.toMatch(/<img/);
    expect(mrkdwn('<javascript:alert(1)|click>')).not.toContain('href');
    expect(mrkdwn('<https://x.test/?a="b"|label>')).toContain('href="https://x.test/?a=&quot;b&quot;"');
    expect(mrkdwn('*"quoted" & \'single\'*')).toBe('<b>&quot;quoted&quot; &amp; &#39;single&#39;</b>');
  });

  it('renders mentions as @name, and unknown ids as themselves', () => {
    expect(mrkdwn('Requested by <@U0ALICE>', { users })).toBe('Requested by <span class="mention" data-user="U0ALICE">@alice</span>');
    expect(mrkdwn('<@U0NOBODY>', { users })).toContain('@U0NOBODY');
    expect(mrkdwn('<!here> <#C0INCIDENT|incident>')).toContain('@here');
  });

  it('formats bold, italic, strike, code, pre, quotes, links and known emoji', () => {
    expect(mrkdwn('*bold* _it_ ~gone~')).toBe('<b>bold</b> <i>it</i> <s>gone</s>');
    expect(mrkdwn('`*not bold*` and `a<b`')).toBe('<code>*not bold*</code> and <code>a&lt;b</code>');
    expect(mrkdwn('```\nSELECT 1; -- *x*\n```')).toBe('<pre class="code-block">SELECT 1; -- *x*\n</pre>');
    expect(mrkdwn('line\n>quoted\n>more\nafter')).toBe('line<blockquote>quoted<br>more</blockquote>after');
    expect(mrkdwn('<https://docs.caracal.run|docs>')).toBe(
      '<a href="https://docs.caracal.run" target="_blank" rel="noopener noreferrer">docs</a>',
    );
    expect(mrkdwn(':white_check_mark: :hourglass_flowing_sand: :thread: :not_an_emoji:')).toBe('✅ ⏳ 🧵 :not_an_emoji:');
    expect(mrkdwn('snake_case_name and status_rerun')).toBe('snake_case_name and status_rerun');
  });

  it('shows <!date^…> in local time, with the fallback as a title', () => {
    const html = mrkdwn('<!date^1764331200^{date_num} {time_secs}|2025-11-28 12:00:00 UTC>');
    expect(html).toMatch(/^<time datetime="2025-11-28T12:00:00.000Z" title="2025-11-28 12:00:00 UTC">2025-11-2\d \d\d:\d\d:00<\/time>$/);
    expect(formatDate(1000, '{ago}', 1000_000 + 10 * 60_000)).toBe('10 minutes ago');
  });
});

describe('Block Kit', () => {
  it("renders the bot's status report and run dashboards with no raw JSON, buttons with their ids and confirm", () => {
    const report = statusReportMessage({
      reportId: 'r1',
      requestedBy: 'U0ALICE',
      startedAt: '2026-11-28T12:00:00.000Z',
      planned: [{ id: 'a.b', title: 'A' }],
      results: [],
      sandbox: true,
    });
    const freeze = runDashboardMessage(runState('freeze'), { sandbox: true, approvalsRequired: () => 1 }, '*Summary*');
    const evidence = runDashboardMessage(runState('evidence', 'drill'), { sandbox: true, approvalsRequired: () => 2 });
    const html = renderBlocks([...report.blocks, ...freeze.blocks, ...evidence.blocks], { users });
    expect(html).not.toContain('raw-json');
    for (const type of ['header', 'section', 'context', 'actions', 'divider']) expect(html).toContain(`data-block-type="${type}"`);
    expect(html).toContain('data-action-id="status_rerun"');
    expect(html).toMatch(/data-action-id="gate_confirm"[^>]*data-confirm="\{&quot;title&quot;/);
    expect(html).toContain('class="sb-button sb-button-primary"');
    expect(html).toMatch(/<fieldset class="sb-checkboxes" data-element="checkboxes" data-action-id="freeze_checklist"/);
    expect(html).toMatch(/<input type="checkbox" value="rollouts" checked>/);
    expect(html).toContain('@alice');
  });

  it("renders the override modal's input with its errors and what was typed", () => {
    const view = overrideModal({ v: 1, runId: 'run1', gate: 'storage' }, true);
    const html = renderBlocks(view.blocks, {
      errors: { override_reason: 'Write at least a sentence.' },
      draft: { override_reason: { override_reason_input: 'typed <b>' } },
    });
    expect(html).toMatch(
      /<textarea class="sb-input" data-element="plain_text_input" id="input-override_reason" data-action-id="override_reason_input"/,
    );
    expect(html).toContain('typed &lt;b&gt;</textarea>');
    expect(html).toContain('role="alert">Write at least a sentence.</div>');
    expect(html).not.toContain('raw-json');
  });

  it('shows any other block or element type as raw JSON, never dropping it', () => {
    const html = renderBlocks([
      { type: 'video', title: '<b>x</b>' },
      { type: 'actions', elements: [{ type: 'static_select', action_id: 'pick' }] },
      { type: 'section' },
    ]);
    expect(html.match(/class="raw-json"/g)).toHaveLength(2);
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(html).toContain('data-block-type="section"');
  });

  it('labels every message SANDBOX and ephemeral ones "Only visible to you"; threads show their reply count', () => {
    const state = {
      messages: [
        {
          ts: '1.000001',
          author: 'caracal',
          isBot: true,
          text: 'report',
          blocks: [],
          replies: [{ ts: '1.000002', author: 'caracal', isBot: true, text: 'details', blocks: [] }],
        },
      ],
      ephemerals: [{ ts: '1.000003', author: 'caracal', isBot: true, text: 'just you', blocks: [], ephemeral: true }],
    };
    const closed = timelineHtml(state, new Set(), { shortcuts: [{ callbackId: 'add_to_incident_log', name: 'Add to incident log' }] });
    expect(closed.match(/class="sandbox-tag">SANDBOX/g)).toHaveLength(2);
    expect(closed).toContain('Only visible to you');
    expect(closed).toContain('data-thread-toggle="1.000001" aria-expanded="false">1 reply</button>');
    expect(closed).toContain('data-shortcut="add_to_incident_log"');
    expect(timelineHtml(state, new Set(['1.000001']), {})).toContain('data-thread="1.000001"');
  });
});
