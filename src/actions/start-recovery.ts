// "Start recovery" on a status report: a recovery run in the report's channel.
import type { App, ButtonAction } from '@slack/bolt';
import { ACTION } from '../blocks/ids.ts';
import { defaultTitle } from '../commands/recover.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { RecoveryService } from '../recovery/service.ts';
import type { StatusRunDeps } from '../reports/status-run.ts';
import { onAction, tell, type ActionArgs } from '../slack/listeners.ts';
import { loadReport } from './status-buttons.ts';

export interface StartRecoveryDeps {
  service: Pick<RecoveryService, 'startRun'>;
  statusDeps: StatusRunDeps;
  now: () => Date;
  logger: Logger;
  metrics: Metrics;
}

export const handleStartRecovery =
  (deps: StartRecoveryDeps) =>
  async ({ body, action, respond }: ActionArgs<ButtonAction>): Promise<void> => {
    const report = await loadReport(deps.statusDeps, action.value);
    // The run recovers the environment the report checked.
    const { environment } = report;
    const result = await deps.service.startRun({
      channelId: report.channelId,
      title: defaultTitle(deps.now()),
      userId: body.user.id,
      ...(environment ? { environment } : {}),
    });
    if (!result.ok) await tell(respond, result.reason);
  };

export function registerStartRecovery(app: App, deps: StartRecoveryDeps): void {
  onAction(app, ACTION.statusStartRecovery, deps, handleStartRecovery(deps));
}
