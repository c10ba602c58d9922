// The soak's matching of clicks to events (bench/soak/verify-events.ts): a request acked by a replica that was killed
// before handling it is applied later, by another replica's sweep, after its author's next clicks. Its event carries
// the request's key, so it is matched to its own click, not to whichever click was sent last before it. An answer in
// the ack (a note refused by its limit) is an answer.
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/domain/events.ts';
import type { Click } from '../../bench/soak/users.ts';
import { matchClicks } from '../../bench/soak/verify-events.ts';

const acked = (replica: string) => ({ status: 200, body: '', replica, failedOn: [], attempts: 1 });

function note(key: string, sentAt: number, replica: string, requestKey?: string): Click {
  return {
    key,
    user: 'U0SOAK1',
    channel: 'C0SOAK1',
    kind: 'note',
    runId: undefined,
    sentAt,
    result: acked(replica),
    text: `text of ${key}`,
    outcomeSeen: true,
    ...(requestKey ? { requestKey } : {}),
  };
}

function noteEvent(id: number, at: number, text: string, requestKey: string): StoredEvent {
  return {
    id,
    runId: 'run-1',
    at: new Date(at),
    type: 'note',
    gate: undefined,
    actor: 'U0SOAK1',
    data: { text, requestKey },
  };
}

describe('matching soak clicks to their events', () => {
  // The first note was acked by A, which was killed; B's sweep applied it after the person's second note.
  const events = [noteEvent(1, 2_000, 'text of second', 'note:2.1'), noteEvent(2, 12_000, 'text of first', 'note:1.1')];

  it('a note applied late by a sweep is matched to its own click by its request key', () => {
    const clicks = [note('first', 1_000, 'A#1', 'note:1.1'), note('second', 1_500, 'B#1', 'note:2.1')];
    const match = matchClicks(clicks, events, new Set(['A#1']), new Map());
    expect(match.problems).toEqual([]);
    expect(match.lostInCrash).toEqual([]);
  });

  it('a note refused in its ack left no event and is answered; one acked empty with no event is a lost click', () => {
    const refused = {
      ...note('third', 20_000, 'B#1'),
      result: { ...acked('B#1'), body: '{"text":"This channel reached 30 notes per minute."}' },
    };
    const silent = note('fourth', 21_000, 'B#1');
    const match = matchClicks([refused, silent], [], new Set(), new Map());
    expect(match.problems).toEqual(['click fourth (note, 1 attempt(s), acked by B#1) was acked but left no event and no answer']);
  });

  it('by time alone the same events look like a lost click and a doubled one', () => {
    const clicks = [note('first', 1_000, 'A#1'), note('second', 1_500, 'B#1')];
    const match = matchClicks(clicks, events, new Set(['A#1']), new Map());
    expect(match.lostInCrash.map((c) => c.key)).toEqual(['first']);
    expect(match.problems.some((p) => p.includes('click second') && p.includes('caused [note note]'))).toBe(true);
  });
});
