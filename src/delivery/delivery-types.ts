// What one run's delivery pass (run-delivery.ts) and its log-entry part (entry-delivery.ts) share: the rendered
// messages, and how a pass stops. In a module of its own so the two files need not import each other.
import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { RunState } from '../domain/run.ts';
import type { StoredEvent } from '../domain/events.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Db } from '../store/db.ts';
import type { Pacer } from './pacer.ts';

/** `broadcast`: a thread reply also shown in the channel (reply_broadcast), for questions the channel must see. */
export type Rendered = { text: string; blocks: KnownBlock[]; broadcast?: boolean };

export interface RunRenderer {
  dashboard(run: RunState): Promise<Rendered>;
  logEntry(event: StoredEvent, run: RunState): Promise<Rendered>;
}

/** The lease was taken by another worker: stop without sending or writing anything more. */
export class LeaseLost extends Error {}

/** Why a pass stops early: everything not yet done goes back to the queue after `delayMs`. */
export interface Stop {
  delayMs: number;
  error: string;
  /** Rows that may be in Slack already (a call that got no clear answer). */
  maybePosted: number[];
  /** Slack refuses the whole channel: it is paused. */
  paused?: boolean;
}

/** What a pass and its log-entry part both work with. */
export interface PassDeps {
  db: Db;
  client: WebClient;
  render: RunRenderer;
  metrics: Metrics;
  logger: Logger;
  pacer: Pacer;
  leaseMs: number;
}
