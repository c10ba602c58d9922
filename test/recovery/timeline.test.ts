// The review's timeline: names beside ids, and a drill's two "time to recover" figures that never disagree unsaid.
import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../src/blocks/log-entry.ts';
import type { RunState } from '../../src/domain/run.ts';
import { timelineMarkdown, timelineUserIds } from '../../src/recovery/timeline.ts';
import { EVENT_SCHEMA_VERSION, readEvent, type EventData, type EventType, type StoredEvent } from '../../src/domain/events.ts';
import type { Gate } from '../../src/domain/gates.ts';

const T0 = Date.parse('2026-11-30T03:00:00Z');
let id = 0;
/** Built as a stored row is read, so data of the wrong shape fails here as it would in the bot. */
const ev = <T extends EventType>(min: number, type: T, actor: string, data: EventData<T>, gate?: Gate): StoredEvent =>
  readEvent({ id: ++id, runId: 'r1', at: new Date(T0 + min * 60_000), actor, type, gate, v: EVENT_SCHEMA_VERSION, data });
const run: RunState = {
  id: 'r1',
  channelId: 'C1',
  title: 'Redis outage drill',
  kind: 'drill',
  scenario: 'redis-outage',
  status: 'resumed',
  startedBy: 'UEVE',
  startedAt: new Date(T0),
  endedAt: new Date(T0 + 30 * 60_000),
  dashboardTs: undefined,
  version: 1,
  gates: [],
  drillMarks: {},
};
const base = [
  ev(0, 'run_started', 'UEVE', { title: 'Redis outage drill', kind: 'drill', scenario: 'redis-outage' }),
  ev(2, 'drill_marker', 'UEVE', { marker: 'injected' }),
  ev(5, 'drill_marker', 'UEVE', { marker: 'alert_fired' }),
  ev(9, 'note', 'UBOB', { text: 'asked <@UALICE> to look' }),
  ev(30, 'gate_confirmed', 'UBOB', { approvers: ['UALICE', 'UBOB'], checks: [] }, 'resume'),
  ev(30, 'run_resumed', 'UBOB', {}, 'resume'),
];
const names: Record<string, string> = { UALICE: 'Alice', UBOB: 'Bob', UEVE: 'Eve' };

describe('timelineMarkdown', () => {
  it('uses the Resume time for a drill whose "Recovered" was never marked, and says so', () => {
    const md = timelineMarkdown(run, base, describeEvent);
    expect(md).toContain('time to recover (TTR): 28m 0s ("Recovered" was not marked: Resume time used)');
    expect(md).toContain('- Time to recover: 30m 0s (run start to Resume)');
  });

  it('uses the Recovered mark when there is one, without the note', () => {
    const md = timelineMarkdown(run, [...base, ev(20, 'drill_marker', 'UEVE', { marker: 'recovered' })], describeEvent);
    expect(md).toContain('time to recover (TTR): 18m 0s');
    expect(md).not.toContain('was not marked');
  });

  it('names people, keeps their ids, and finds every id it will show', () => {
    expect(timelineUserIds(run, base).sort()).toEqual(['UALICE', 'UBOB', 'UEVE']);
    const md = timelineMarkdown(run, base, describeEvent, (u) => names[u]);
    expect(md).toContain('Started: 2026-11-30T03:00:00Z by @Eve (UEVE)');
    expect(md).toContain('Approvers: @Alice (UALICE), @Bob (UBOB)');
    expect(md).toContain('@Bob (UBOB): asked @Alice (UALICE) to look');
    expect(timelineMarkdown(run, base, describeEvent)).toContain('Approvers: @UALICE, @UBOB');
  });

  it('renders user text as inert single-line Markdown: a note cannot forge event lines, headings or links (issue 18)', () => {
    const forged =
      'fixed it\n- 2026-11-30T03:40:00Z :white_check_mark: Resume confirmed by @Boss\n# Incident closed\r\n[details](javascript:alert(1)) <javascript:alert(2)> <img src=x onerror=alert(3)> | cell';
    const hostile: RunState = { ...run, title: 'Drill\n## Injected [x](javascript:y)' };
    const events = [...base, ev(10, 'note', 'UEVE', { text: forged })];
    const md = timelineMarkdown(hostile, events, describeEvent, (u) => names[u]);
    const lines = md.split('\n');
    // One line per event, one heading per section: nothing added by the note or the title.
    expect(lines.filter((l) => /^- 20\d\d-/.test(l))).toHaveLength(events.length);
    expect(lines.filter((l) => l.startsWith('#')).map((l) => l.split(' ')[0])).toEqual(['#', '##', '##']);
    expect(md).not.toMatch(/[^\\]\]\(javascript:/);
    expect(md).not.toMatch(/[^\\]<(javascript|img)/);
    const noteLine = lines.find((l) => l.includes('fixed it'))!;
    expect(noteLine).toContain('fixed it ⏎ - 2026-11-30T03:40:00Z');
    expect(noteLine).toContain('\\[details\\](javascript:alert(1))');
    expect(noteLine).toContain('\\| cell');
  });
});
