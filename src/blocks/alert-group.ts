// The one message of an Alertmanager alert group, rebuilt from the database on every change: per alert name its
// summary, the failure-matrix rows of its component and the checks that confirm it; resolved alerts struck through.
// Caracal's alerts get the buttons "Run these checks" and "Start recovery run"; any other alert is shown plainly.
import type { Button, KnownBlock } from '@slack/types';
import { caracalAlert, runbookUrl } from '../domain/alert-catalog.ts';
import type { AlertEnvironment } from '../domain/alerts.ts';
import type { AlertGroup, StoredAlert } from '../domain/alerts.ts';
import { FAILURE_MATRIX } from '../domain/failure-matrix.ts';
import { GATE_TITLES } from '../domain/gates.ts';
import { ACTION } from './ids.ts';
import { LIMITS, sections } from './limits.ts';
import { escapeMrkdwn, slackDate, truncate } from './mrkdwn.ts';
import { alertButtonPayload, encodePayload } from './payloads.ts';

/** Instances listed per alert name; the rest are counted. Names beyond this many are counted too (50-block limit). */
const MAX_INSTANCES = 8;
const MAX_NAMES = 30;

const when = (d: Date) => slackDate(d.toISOString(), '{date_short_pretty} {time}');

/** The labels that tell one instance of an alert from another (pod, service…), not the ones every instance shares. */
function instanceLabel(a: StoredAlert, shared: Record<string, string>): string {
  const own = Object.entries(a.labels).filter(([k, v]) => k !== 'alertname' && shared[k] !== v);
  return own.length ? own.map(([k, v]) => `${k}=${v}`).join(', ') : 'instance';
}

function instanceLine(a: StoredAlert, shared: Record<string, string>): string {
  const label = escapeMrkdwn(truncate(instanceLabel(a, shared), 200));
  return a.status === 'firing'
    ? `• :red_circle: ${label} firing since ${when(a.startsAt)}`
    : `• :white_check_mark: ~${label}~ resolved ${a.endsAt ? when(a.endsAt) : ''}`;
}

function nameSection(name: string, alerts: StoredAlert[]): string {
  const firing = alerts.filter((a) => a.status === 'firing');
  const first = alerts[0];
  const shared = Object.fromEntries(Object.entries(first.labels).filter(([k, v]) => alerts.every((a) => a.labels[k] === v)));
  const row = caracalAlert(name);
  const severity = first.severity ?? 'no severity';
  const title = firing.length ? `*${escapeMrkdwn(name)}*` : `~*${escapeMrkdwn(name)}*~`;
  const lines = [
    `${firing.length ? ':rotating_light:' : ':white_check_mark:'} ${title} · ${escapeMrkdwn(severity)}${first.component ? ` · ${escapeMrkdwn(first.component)}` : ''} · ${firing.length} of ${alerts.length} firing`,
  ];
  const summary = first.annotations.summary ?? first.annotations.description;
  if (summary) lines.push(escapeMrkdwn(truncate(summary, 500)));
  if (row) {
    for (const m of row.matrix) {
      const r = FAILURE_MATRIX[m];
      lines.push(`_Failure matrix: ${r.failure}._ ${r.impact} *Recovery:* ${r.recovery}`);
    }
    lines.push(
      `*Confirmed by:* ${row.checks.map((c) => `\`${c}\``).join(', ')} · *handled at gate:* ${GATE_TITLES[row.gate]} · <${runbookUrl(name)}|runbook>`,
    );
  }
  const shown = [...firing, ...alerts.filter((a) => a.status === 'resolved')].slice(0, MAX_INSTANCES);
  lines.push(...shown.map((a) => instanceLine(a, shared)));
  if (alerts.length > shown.length) lines.push(`_…and ${alerts.length - shown.length} more instances (${firing.length} firing in all)._`);
  return lines.join('\n');
}

function button(actionId: string, text: string, value: string, style?: 'primary'): Button {
  return { type: 'button', action_id: actionId, text: { type: 'plain_text', text }, value, ...(style ? { style } : {}) };
}

/** `environment`: the deployment the group belongs to (alerts/environment.ts), named here and carried by the buttons. */
export function alertGroupMessage(
  group: AlertGroup,
  opts: { sandbox: boolean; environment?: AlertEnvironment },
): { text: string; blocks: KnownBlock[] } {
  const byName = new Map<string, StoredAlert[]>();
  for (const a of group.alerts) byName.set(a.name, [...(byName.get(a.name) ?? []), a]);
  const firing = group.alerts.filter((a) => a.status === 'firing');
  const firstStart = group.alerts.reduce<Date | undefined>((min, a) => (!min || a.startsAt < min ? a.startsAt : min), undefined);
  const label = opts.sandbox ? '[SANDBOX] ' : '';
  const headline = firing.length ? `${firing.length} alert${firing.length === 1 ? '' : 's'} firing` : 'All alerts resolved';
  const env = opts.environment;
  const envText = env ? ` · environment \`${escapeMrkdwn(env.environment)}\` (${escapeMrkdwn(truncate(env.reason, 200))})` : '';
  const groupText =
    Object.entries(group.groupLabels)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ') || group.receiver;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`${label}${headline}: ${groupText}`, LIMITS.headerText) } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: truncate(
            `Alertmanager receiver \`${escapeMrkdwn(group.receiver)}\`${firstStart ? ` · first started ${when(firstStart)}` : ''}${group.externalUrl.startsWith('http') ? ` · <${group.externalUrl}|Alertmanager>` : ''}${envText}${opts.sandbox ? ' · *SANDBOX*' : ''}`,
            LIMITS.sectionText,
          ),
        },
      ],
    },
  ];
  // Firing names first, then by first start.
  const names = [...byName.entries()].sort(
    ([, a], [, b]) =>
      Number(b.some((x) => x.status === 'firing')) - Number(a.some((x) => x.status === 'firing')) ||
      a[0].startsAt.getTime() - b[0].startsAt.getTime(),
  );
  for (const [name, alerts] of names.slice(0, MAX_NAMES)) blocks.push(...sections(nameSection(name, alerts)).slice(0, 1));
  if (names.length > MAX_NAMES)
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `…and ${names.length - MAX_NAMES} more alert names in this group.` }],
    });
  if (group.truncatedAlerts > 0)
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `Alertmanager left out ${group.truncatedAlerts} alerts of this group (max_alerts).` }],
    });
  const caracal = [...byName.keys()].filter((n) => caracalAlert(n));
  const caracalFiring = caracal.filter((n) => byName.get(n)!.some((a) => a.status === 'firing'));
  if (caracal.length > 0) {
    const alerts = caracalFiring.length ? caracalFiring : caracal;
    const value = encodePayload(alertButtonPayload, env ? { v: 2, alerts, env: env.environment } : { v: 1, alerts });
    blocks.push({
      type: 'actions',
      block_id: `alert_actions_v${group.version}`,
      elements: [
        button(ACTION.alertRunChecks, 'Run these checks', value),
        button(ACTION.alertStartRecovery, 'Start recovery run', value, 'primary'),
      ],
    });
  }
  const names3 = [...byName.keys()].slice(0, 3).join(', ');
  return {
    text: truncate(`${label}${headline}: ${names3}${byName.size > 3 ? '…' : ''}`, LIMITS.fallbackText),
    blocks: blocks.slice(0, LIMITS.blocksPerMessage),
  };
}
