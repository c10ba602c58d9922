// Alertmanager's alerts as the bot keeps them (src/alerts/store.ts) and shows them (src/blocks/alert-group.ts).

export type AlertStatus = 'firing' | 'resolved';

export interface StoredAlert {
  fingerprint: string;
  name: string;
  status: AlertStatus;
  severity: string | undefined;
  component: string | undefined;
  summary: string | undefined;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: Date;
  endsAt: Date | undefined;
  channelId: string;
}

export interface AlertGroup {
  groupKey: string;
  channelId: string;
  receiver: string;
  groupLabels: Record<string, string>;
  externalUrl: string;
  truncatedAlerts: number;
  messageTs: string | undefined;
  version: number;
  deliveredVersion: number;
  createdAt: Date;
  alerts: StoredAlert[];
}

/** A state change that took effect: an alert started firing (again) or resolved. */
export interface AlertChange {
  alert: StoredAlert;
  status: AlertStatus;
}

export interface AlertEnvironment {
  environment: string;
  /** How it was chosen, for the group message: `label environment`, or the channel's default and why. */
  reason: string;
}
