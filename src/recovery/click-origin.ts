// A button click acts only on a run of its own channel (and, for dashboard buttons, the run's own dashboard).

import type { RunState } from '../domain/run.ts';

/** Where a click came from: the run's own channel and, for dashboard buttons, the run's own dashboard message. */
export interface ClickOrigin {
  channelId: string | undefined;
  messageTs?: string | undefined;
  /**
   * The click's own id (issue 14 item 8, issue 18 item 3): a click is saved before its ack, so a redelivery of one
   * whose ack was lost (Socket Mode, a proxy) must find it applied and not apply it again on changed state.
   */
  requestKey?: string | undefined;
}

/** Said to a click from elsewhere; it reveals nothing about the run (not even that it exists). */
export const NOT_THIS_CHANNELS_RUN = 'This button does not belong to a run of this channel.';

export function clickBelongsToRun(run: Pick<RunState, 'channelId' | 'dashboardTs'>, origin: ClickOrigin): boolean {
  if (origin.channelId !== run.channelId) return false;
  return origin.messageTs === undefined || run.dashboardTs === undefined || origin.messageTs === run.dashboardTs;
}
