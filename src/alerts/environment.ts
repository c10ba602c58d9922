// Which Caracal deployment an alert group belongs to, so its buttons check and recover that one. Prometheus rules
// are usually shared by every deployment, and what tells them apart is an external or target label (`environment`,
// `cluster`): the first of `alerts.environmentLabels` that the group's alerts carry decides, when all of them carry
// the same value and that value is a configured environment's name. Otherwise the channel's default environment is
// used, and the message says why, so a label that names no environment is seen and fixed rather than guessed at.
import { channelEnvironment, environmentNames, type Config } from '../config.ts';
import type { AlertEnvironment } from '../domain/alerts.ts';
import type { AlertGroup } from '../domain/alerts.ts';

export function alertEnvironment(
  config: Pick<Config, 'alerts' | 'environments' | 'defaultEnvironment'>,
  group: Pick<AlertGroup, 'channelId' | 'groupLabels' | 'alerts'>,
): AlertEnvironment {
  const known = new Set(environmentNames(config));
  const fallback = (why: string): AlertEnvironment => ({
    environment: channelEnvironment(config, group.channelId),
    reason: `the channel's default${why}`,
  });
  for (const label of config.alerts.environmentLabels) {
    const values = new Set(
      [group.groupLabels[label], ...group.alerts.map((a) => a.labels[label])].filter((v): v is string => v !== undefined),
    );
    if (values.size === 0) continue;
    const [value] = values;
    if (values.size > 1) return fallback(`: the alerts disagree on ${label} (${[...values].slice(0, 3).join(', ')})`);
    if (!known.has(value)) return fallback(`: ${label}=${value} is not a configured environment`);
    return { environment: value, reason: `label ${label}` };
  }
  return fallback('');
}
