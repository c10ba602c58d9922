// onAction routes every block action through one Bolt listener: by the action id's base, with or without a
// `:suffix`; a click no handler knows is acked (a link button) and reaches no handler.
import { App, type ReceiverEvent } from '@slack/bolt';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ACTION } from '../../src/blocks/ids.ts';
import { createMetrics } from '../../src/metrics.ts';
import { onAction } from '../../src/slack/listeners.ts';
import { buildArgs } from '../helpers/action-args.ts';

function appWithRoutes() {
  const app = new App({ token: 'xoxb-test', signingSecret: 'secret', botId: 'BTEST', botUserId: 'UTESTBOT' });
  const deps = { logger: pino({ level: 'silent' }), metrics: createMetrics() };
  const handled: string[] = [];
  onAction(app, ACTION.statusRerun, deps, ({ action }) => (handled.push(`rerun ${action.action_id}`), Promise.resolve()));
  onAction(app, ACTION.statusDetails, deps, ({ action }) => (handled.push(`details ${action.action_id}`), Promise.resolve()));
  /** Deliver a click on `actionId`; how many times it was acked. */
  const click = async (actionId: string): Promise<number> => {
    let acks = 0;
    const event: ReceiverEvent = { body: buildArgs(actionId, 'v').body, ack: () => (acks++, Promise.resolve()) };
    await app.processEvent(event);
    return acks;
  };
  return { app, deps, handled, click };
}

describe('onAction', () => {
  it('routes by the action id, with or without a suffix, to that id’s handler only', async () => {
    const { handled, click } = appWithRoutes();
    expect(await click('status_rerun')).toBe(1);
    expect(await click('status_details:2')).toBe(1);
    expect(handled).toEqual(['rerun status_rerun', 'details status_details:2']);
  });

  it('acks a click no handler knows, and runs nothing for it', async () => {
    const { handled, click } = appWithRoutes();
    expect(await click('status_rerun_old')).toBe(1);
    expect(await click('status_rerun:bad suffix')).toBe(1);
    expect(await click('link_button')).toBe(1);
    expect(handled).toEqual([]);
  });

  it('refuses a second handler for the same id', () => {
    const { app, deps } = appWithRoutes();
    expect(() => onAction(app, ACTION.statusRerun, deps, () => Promise.resolve())).toThrow(/registered already/);
  });
});
