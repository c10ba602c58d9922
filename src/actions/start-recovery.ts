// "Start recovery" on a status report: a recovery run in the report's channel.
import type { App, ButtonAction } from '@slack/bolt';
import { ACTION } from '../blocks/ids.ts';
import { defaultTitle } from '../commands/recover.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { RecoveryService } from '../recovery/service.ts';
import type { StatusRunDeps } from '../reports/status-run.ts';
import { onAction, tell } from '../slack/listeners.ts';
import { loadReport } from './status-buttons.ts';

export function registerStartRecovery(
  app: App,
  deps: { service: RecoveryService; statusDeps: StatusRunDeps; now: () => Date; logger: Logger; metrics: Metrics },
): void {
  onAction<ButtonAction>(app, ACTION.statusStartRecovery, deps, async ({ body, action, respond }) => {
    const report = await loadReport(deps.statusDeps, action.value);
    // The run recovers the environment the report checked.
    const { environment } = report;
    const result = await deps.service.startRun({ channelId: report.channelId, title: defaultTitle(deps.now()), userId: body.user.id, ...(environment ? { environment } : {}) });
    if (!result.ok) await tell(respond, result.reason);
  });
}
