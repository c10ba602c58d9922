import { describe, expect, it } from 'vitest';
import { statusReportMessage } from '../../src/blocks/status-report.ts';
import type { StatusReport } from '../../src/domain/report.ts';
import { statusDetailsMessages } from '../../src/blocks/status-details.ts';
import { LIMITS } from '../../src/blocks/limits.ts';
import type { CheckResult } from '../../src/domain/check-result.ts';
import { FAILURE_MATRIX } from '../../src/domain/failure-matrix.ts';

function result(id: string, status: CheckResult['status'], extra: Partial<CheckResult> = {}): CheckResult {
  return {
    id,
    title: `Title ${id}`,
    gates: ['storage'],
    status,
    summary: `summary of ${id}`,
    metrics: {},
    evidence: [],
    remedy: undefined,
    matrix: [],
    durationMs: 12,
    finishedAt: '2026-11-28T12:00:00.000Z',
    ...extra,
  };
}

function view(results: CheckResult[], planned = results.map((r) => ({ id: r.id, title: r.title }))): StatusReport {
  return { reportId: 'r1', requestedBy: 'U0ALICE', startedAt: '2026-11-28T12:00:00.000Z', planned, results, sandbox: false };
}

type Text = string | { text: string } | undefined;
type Block = { type: string; text?: { text: string }; elements?: { text?: Text; value?: string; action_id?: string }[] };

const plain = (t: Text): string => (typeof t === 'string' ? t : (t?.text ?? ''));

function allTexts(blocks: unknown[]): string[] {
  return (blocks as Block[]).flatMap((b) => [b.text?.text ?? '', ...(b.elements ?? []).map((e) => plain(e.text))]);
}

describe('statusReportMessage', () => {
  it('shows "checking" with pending checks before results arrive', () => {
    const msg = statusReportMessage(
      view(
        [],
        [
          { id: 'a.b', title: 'A' },
          { id: 'c.d', title: 'C' },
        ],
      ),
    );
    expect(msg.text).toContain('Checking… 0 of 2');
    expect(JSON.stringify(msg.blocks)).toContain('Still checking');
    expect(msg.overflow).toEqual([]);
  });

  it('puts failures first with their failure-matrix row and remedy, then passing checks', () => {
    const msg = statusReportMessage(
      view([
        result('ok.one', 'pass'),
        result('bad.one', 'fail', { matrix: ['postgres'], remedy: 'restore it' }),
        result('meh.one', 'warn'),
      ]),
    );
    const texts = allTexts(msg.blocks).join('\n');
    expect(texts.indexOf('bad.one')).toBeLessThan(texts.indexOf('meh.one'));
    expect(texts.indexOf('meh.one')).toBeLessThan(texts.indexOf('ok.one'));
    expect(texts).toContain(FAILURE_MATRIX.postgres.impact);
    expect(texts).toContain(FAILURE_MATRIX.postgres.recovery);
    expect(texts).toContain('*Next:* restore it');
    expect(msg.text).toContain('1 failing, 1 warning of 3 checks');
    const actions = (msg.blocks as Block[]).find((b) => b.type === 'actions')!;
    expect(actions.elements!.map((e) => e.action_id)).toEqual(['status_rerun', 'status_details', 'status_start_recovery']);
    expect(JSON.parse(actions.elements![0].value!)).toEqual({ v: 1, reportId: 'r1' });
  });

  it('holds Slack limits when every check fails with long text, moving the rest to the thread', () => {
    const long = 'Z'.repeat(5000);
    const results = Array.from({ length: 40 }, (_, i) =>
      result(`check.n${i}`, 'fail', { summary: long, matrix: ['postgres', 'redis', 'auditLoss'], remedy: long }),
    );
    const msg = statusReportMessage(view(results));
    expect(msg.blocks.length).toBeLessThanOrEqual(LIMITS.blocksPerMessage);
    for (const t of allTexts(msg.blocks)) expect(t.length).toBeLessThanOrEqual(LIMITS.sectionText);
    expect(msg.overflow.length).toBeGreaterThan(0);
    for (const part of msg.overflow) {
      expect(part.length).toBeLessThanOrEqual(LIMITS.blocksPerMessage);
      for (const t of allTexts(part)) expect(t.length).toBeLessThanOrEqual(LIMITS.sectionText);
    }
    // nothing cut: every check id appears in the message or the thread, with all of its text
    const everything = allTexts([...msg.blocks, ...msg.overflow.flat()]).join('');
    for (const r of results) expect(everything).toContain(`\`${r.id}\``);
    expect(everything.split('Z').length - 1).toBe(40 * 5000 * 2);
    expect(JSON.stringify(msg.blocks)).toContain('see the thread');
    expect(msg.blocks.at(-1)!.type).toBe('actions');
  });

  it('escapes user and target text so mentions and links are inert', () => {
    const msg = statusReportMessage({
      ...view([result('x.y', 'fail', { summary: 'reason <!channel> & <@U123> <https://evil|click>', title: '<!here>' })]),
      requestedBy: '<!everyone>',
    });
    const json = JSON.stringify(msg.blocks);
    expect(json).not.toMatch(/<!channel>|<!here>|<!everyone>|<@U123>|<https:\/\/evil/);
    expect(json).toContain('&lt;!channel&gt; &amp; &lt;@U123&gt;');
  });

  it('labels sandbox reports', () => {
    const msg = statusReportMessage({ ...view([result('a.b', 'pass')]), sandbox: true });
    expect(msg.text.startsWith('[SANDBOX]')).toBe(true);
    expect(JSON.stringify(msg.blocks)).toContain('SANDBOX');
  });

  it('details carry metrics, evidence and checker errors across as many replies as needed', () => {
    const results = Array.from({ length: 30 }, (_, i) =>
      result(`c.n${i}`, i === 0 ? 'error' : 'fail', {
        metrics: { pending: i, note: '<b>' },
        evidence: ['line <one>'],
        ...(i === 0 ? { error: { name: 'TypeError', message: 'boom' } } : {}),
      }),
    );
    const messages = statusDetailsMessages(view(results));
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(m.blocks.length).toBeLessThanOrEqual(LIMITS.blocksPerMessage);
    const all = JSON.stringify(messages);
    expect(all).toContain('pending: 29');
    expect(all).toContain('line &lt;one&gt;');
    expect(all).toContain('TypeError: boom');
  });
});
