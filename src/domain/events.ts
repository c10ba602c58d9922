// Every event a run's log can hold, with the shape of its data: the one definition the writer (store/events.ts)
// and every reader (the thread, the timeline, the summary, the scheduler) use. The log is the incident's evidence,
// so a stored event is validated when read, and a row of an unknown schema version is an error, never a guess.
import { z } from 'zod';
import { CHECK_STATUSES } from './check-result.ts';
import { CHECKLIST_ITEMS, type Gate } from './gates.ts';
import { DRILL_MARKERS } from './run.ts';

/** Written into `events.v` with every row; bump it (and keep a reader for the old one) when a shape changes. */
export const EVENT_SCHEMA_VERSION = 1;

/** A request's own id (a click's action_ts, a command's trigger_id): a replay of it is recorded once. */
const keyed = { requestKey: z.string().optional() };
/** Strict: a field no schema names is refused when written and when read, never dropped in silence. */
const data = <S extends z.ZodRawShape>(shape: S) => z.strictObject({ ...shape, ...keyed });

const userId = z.string();
const lines = z.array(z.string());
const checklistEntry = z.object({ item: z.enum(CHECKLIST_ITEMS), label: z.string(), by: userId });
const iso = z.string();
/** An Alertmanager alert as the run's log records it: the same fields when it fires and when it resolves. */
const alertShape = {
  alert: z.string(),
  severity: z.string().nullable(),
  fingerprint: z.string(),
  summary: z.string().nullable(),
  startsAt: iso,
  endsAt: iso.nullable(),
};

export const ACTION_RESULTS = ['success', 'partial', 'failure'] as const;
export type ActionResult = (typeof ACTION_RESULTS)[number];

export const EVENT_DATA = {
  run_started: data({
    title: z.string(),
    kind: z.enum(['recovery', 'drill']),
    scenario: z.string().nullable(),
    environment: z.string().optional(),
    /** Started from an alert group's message: the alerts, and a link to the message. */
    alerts: z.array(z.string()).optional(),
    alertMessage: z.string().optional(),
  }),
  baseline_recorded: data({ takenAt: iso, lines }),
  residue_exported: data({ action: z.string(), what: z.string(), part: z.number().int(), parts: z.number().int(), lines }),
  finding_acknowledged: data({
    verificationEventId: z.string(),
    finding: z.string(),
    reason: z.string(),
    acks: z.number().int(),
    required: z.number().int(),
  }),
  note: data({
    text: z.string(),
    part: z.number().int().optional(),
    parts: z.number().int().optional(),
    /** Added with the "Add to incident log" shortcut: the message's author and ts. */
    from: z.string().optional(),
    messageTs: z.string().optional(),
  }),
  /** A manual (break-glass) step someone did by hand. */
  action_run: data({
    action: z.string(),
    title: z.string(),
    ok: z.boolean(),
    breakGlass: z.boolean().optional(),
    summary: z.string(),
    lines,
  }),
  /** Committed before a remediation calls anything: after a crash, the log still says who started what. */
  action_started: data({ action: z.string(), title: z.string(), target: z.string() }),
  action_finished: data({
    action: z.string(),
    title: z.string(),
    result: z.enum(ACTION_RESULTS),
    ok: z.boolean(),
    summary: z.string(),
    lines,
    startedEventId: z.string(),
    /** A deep audit-chain verification's record (store/verifications.ts validates its shape). */
    verification: z.unknown().optional(),
  }),
  drill_marker: data({ marker: z.enum(DRILL_MARKERS), alert: z.string().optional() }),
  gate_claimed: data({ previous: userId.optional() }),
  gate_handed_off: data({ from: userId.nullable(), to: userId, note: z.string() }),
  gate_released: data({ previous: userId.optional() }),
  checks_recorded: data({
    total: z.number().int(),
    failing: z.array(z.string()),
    ignoredAsOlder: z.array(z.string()).optional(),
    votesCleared: z.array(userId).optional(),
  }),
  checklist_ticked: data({ item: z.enum(CHECKLIST_ITEMS), checked: z.boolean() }),
  confirm_vote: data({
    votes: z.array(userId),
    required: z.number().int(),
    dropped: z.array(userId).optional(),
    acknowledgedAlerts: z.array(z.string()).optional(),
  }),
  gate_confirmed: data({
    approvers: z.array(userId),
    checks: z.array(z.object({ id: z.string(), status: z.enum(CHECK_STATUSES), finishedAt: iso })),
    acknowledgedAlerts: z.array(z.string()).optional(),
    /** What Freeze froze, and what Resume restored, with who ticked each. */
    frozen: z.array(checklistEntry).optional(),
    unfrozen: z.array(checklistEntry).optional(),
  }),
  override_requested: data({ overrideId: z.string(), reason: z.string() }),
  override_approved: data({ overrideId: z.string(), requestedBy: userId, reason: z.string() }),
  override_rejected: data({ overrideId: z.string(), requestedBy: userId }),
  gate_opened: data({}),
  run_resumed: data({}),
  run_cancelled: data({ reason: z.string() }),
  denied: data({ command: z.string(), reason: z.string() }),
  alert_firing: data(alertShape),
  alert_resolved: data(alertShape),
  /** Scheduled work: written by the scheduler, never by a person (except watch_set). */
  watch_set: data({ mode: z.enum(['on', 'off']), intervalMs: z.number().nullable() }),
  watch_changed: data({
    at: iso,
    changes: z.array(z.object({ check: z.string(), from: z.enum(CHECK_STATUSES), to: z.enum(CHECK_STATUSES), summary: z.string() })),
    claimant: userId.nullable(),
  }),
  watch_ready: data({ at: iso, claimant: userId.nullable(), approvers: z.array(userId), userGroups: z.array(z.string()) }),
  reminder: data({ stage: z.enum(['claimant', 'release', 'run_idle']), since: iso, claimant: userId.optional(), quietMs: z.number() }),
} as const;

export type EventType = keyof typeof EVENT_DATA;
export const EVENT_TYPES = Object.keys(EVENT_DATA) as EventType[];
export type EventData<T extends EventType> = z.infer<(typeof EVENT_DATA)[T]>;

/** An event about to be written: its type decides the shape of its data. */
export type EventDraft<T extends EventType = EventType> = T extends EventType
  ? { type: T; gate: Gate | undefined; actor: string; data: EventData<T> }
  : never;

export type StoredEvent<T extends EventType = EventType> = T extends EventType
  ? EventDraft<T> & { id: number; runId: string; at: Date }
  : never;

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_DATA, type);
}

export class EventShapeError extends Error {
  override name = 'EventShapeError';
}

/** The data of an event of `type`, checked against its schema (what the writer stores, and what a reader gets). */
export function eventData<T extends EventType>(type: T, value: unknown): EventData<T> {
  const parsed = EVENT_DATA[type].safeParse(value);
  if (!parsed.success) throw new EventShapeError(`${type} event data does not match its schema: ${z.prettifyError(parsed.error)}`);
  return parsed.data as EventData<T>;
}

/** A stored row as a typed event: an unknown schema version or type, or data of another shape, is an error. */
export function readEvent(row: {
  id: number;
  runId: string;
  at: Date;
  actor: string;
  type: string;
  gate: Gate | undefined;
  v: number;
  data: unknown;
}): StoredEvent {
  if (row.v !== EVENT_SCHEMA_VERSION)
    throw new EventShapeError(`event ${row.id}: schema version ${row.v} is not one this bot reads (it reads ${EVENT_SCHEMA_VERSION})`);
  if (!isEventType(row.type)) throw new EventShapeError(`event ${row.id}: unknown type ${row.type}`);
  const { v: _v, data: raw, ...rest } = row;
  return { ...rest, type: row.type, data: eventData(row.type, raw) } as StoredEvent;
}

/** The same event with its data changed by `f` (scrubbed, or given a request key), its type kept. */
export function withData<E extends EventDraft>(e: E, f: (data: E['data']) => E['data']): E {
  return { ...e, data: f(e.data) };
}

/** Narrows an event to the given types, for `find` and `filter` over a run's log. */
export function isEvent<T extends EventType>(e: StoredEvent, ...types: T[]): e is StoredEvent<T> {
  return (types as EventType[]).includes(e.type);
}
