// The sandbox's alerting: real Prometheus and Alertmanager against the simulated Caracal when they are installed;
// otherwise a message in #incident that says how to install them, with a button posting a sample notification.
import { WebClient } from '@slack/web-api';
import type { Config } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import type { SimulatedCaracal } from '../caracal/index.ts';
import { noAlertingMessage } from '../../alerts/sample.ts';
import { INSTALL_HINT, findAlertingBinaries, startAlerting, type AlertingStack } from './stack.ts';

/** The sandbox workspace's incident channel (src/sandbox/slack/people.ts). */
export const SANDBOX_ALERT_CHANNEL = 'C0INCIDENT';

export interface SandboxAlertingDeps {
  config: Config;
  caracal: SimulatedCaracal;
  botUrl: string;
  slackApiUrl: string;
  logger: Logger;
  /** Where the binaries are (tests pass one that finds none). */
  find?: typeof findAlertingBinaries;
}

export async function startSandboxAlerting(deps: SandboxAlertingDeps): Promise<AlertingStack | undefined> {
  const token = deps.config.secrets.alertmanagerToken;
  if ((deps.find ?? findAlertingBinaries)() && token) {
    try {
      return await startAlerting({
        targets: deps.caracal.fake.urls,
        metricsBearer: deps.caracal.env.CARACAL_METRICS_BEARER,
        webhookUrl: `${deps.botUrl}/alertmanager`,
        webhookToken: token,
        logger: deps.logger,
      });
    } catch (err) {
      deps.logger.warn({ err }, 'Prometheus or Alertmanager did not start; the sandbox runs without alerts');
    }
  } else {
    deps.logger.warn(`Prometheus and Alertmanager are not installed, so faults raise no alerts: ${INSTALL_HINT}`);
  }
  const client = new WebClient(deps.config.secrets.slackBotToken, { slackApiUrl: deps.slackApiUrl, retryConfig: { retries: 0 } });
  await client.chat
    .postMessage({ channel: SANDBOX_ALERT_CHANNEL, ...noAlertingMessage() })
    .catch((err: unknown) => deps.logger.warn({ err }, 'could not post the alerting hint'));
  return undefined;
}
