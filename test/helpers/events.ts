// Finding one event of a run's log (or of a decision's drafts) in a test, typed by its type; a missing event fails
// the test with its name.
import type { EventDraft, EventType } from '../../src/domain/events.ts';
import type { Gate } from '../../src/domain/gates.ts';

export function eventOf<E extends EventDraft, T extends EventType>(events: readonly E[], type: T, gate?: Gate): Extract<E, { type: T }> {
  const found = events.find((e): e is Extract<E, { type: T }> => e.type === type && (gate === undefined || e.gate === gate));
  if (!found) throw new Error(`no ${type} event${gate ? ` on ${gate}` : ''} among: ${events.map((e) => e.type).join(', ')}`);
  return found;
}
