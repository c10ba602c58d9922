// Button values: a small versioned payload, validated with zod. Never a domain object, never a secret.
import { z } from 'zod';
import { ENVIRONMENT_NAME } from '../config.ts';
import { GATES } from '../domain/gates.ts';
import { DRILL_MARKERS } from '../domain/run.ts';
import { UserFacingError } from '../errors.ts';
import { SYMPTOM_IDS } from '../troubleshoot/symptoms.ts';
import { LIMITS } from './limits.ts';

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
/** The Caracal deployment a button acts on (a configured name, never a target or a secret). */
const env = z.string().regex(ENVIRONMENT_NAME);

/** v2 names the environment the report checked; v1 (messages posted before) leaves it to the stored report. */
export const reportButtonPayload = z.union([
  z.object({ v: z.literal(1), reportId: id }).strict(),
  z.object({ v: z.literal(2), reportId: id, env }).strict(),
]);
export type ReportButtonPayload = z.infer<typeof reportButtonPayload>;

const gate = z.enum(GATES);

/** Gate buttons and the Freeze checklist; the override modal's private_metadata uses the same shape. */
export const gateButtonPayload = z.object({ v: z.literal(1), runId: id, gate }).strict();
export type GateButtonPayload = z.infer<typeof gateButtonPayload>;

const symptom = z.enum(SYMPTOM_IDS);
/** v2 names the environment the command was given (or the channel's default then); v1 uses the channel's default. */
export const symptomButtonPayload = z.union([
  z.object({ v: z.literal(1), symptom }).strict(),
  z.object({ v: z.literal(2), symptom, env }).strict(),
]);

/** A drill's timing button: fault injected, alert fired, recovered. */
export const drillButtonPayload = z.object({ v: z.literal(1), runId: id, marker: z.enum(DRILL_MARKERS) }).strict();

/**
 * A remediation action button on a gate. `card`: the clicker's own confirm or break-glass card, one per dashboard
 * click; a repeat from that card (a double click, a replayed request) is the same request (issue 18).
 */
export const actionButtonPayload = z
  .object({ v: z.literal(1), runId: id, gate, action: z.string().regex(/^[a-z_.]{1,40}$/), card: id.optional() })
  .strict();
export type ActionButtonPayload = z.infer<typeof actionButtonPayload>;

/** Resume's "Acknowledge finding…": which recorded verification (its event id) the approver acknowledges. */
export const findingAckPayload = z.object({ v: z.literal(1), runId: id, verificationEventId: z.number().int().positive() }).strict();
export type FindingAckPayload = z.infer<typeof findingAckPayload>;

export const overrideButtonPayload = z.object({ v: z.literal(1), runId: id, gate, overrideId: id }).strict();
export type OverrideButtonPayload = z.infer<typeof overrideButtonPayload>;

export function encodePayload<T>(schema: z.ZodType<T>, value: T): string {
  const text = JSON.stringify(schema.parse(value));
  if (text.length > LIMITS.buttonValue) throw new Error(`button payload of ${text.length} characters`);
  return text;
}

/** Parse a button value; anything tampered with, truncated or from an older version is refused. */
export function decodePayload<T>(schema: z.ZodType<T>, raw: string | undefined): T {
  let json: unknown;
  try {
    json = JSON.parse(raw ?? '');
  } catch {
    json = undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new UserFacingError(
      'bad_request',
      'This button is no longer valid (it may come from an older message). Run `/caracal status` again.',
    );
  }
  return parsed.data;
}

const alertNames = z
  .array(z.string().regex(/^Caracal[A-Za-z]{1,60}$/))
  .min(1)
  .max(21);
/**
 * Alert group buttons: the Caracal alert names of the group (the checks and the run title come from the mapping) and,
 * from v2, the environment the alerts belong to (alerts/environment.ts); v1 uses the channel's default.
 */
export const alertButtonPayload = z.union([
  z.object({ v: z.literal(1), alerts: alertNames }).strict(),
  z.object({ v: z.literal(2), alerts: alertNames, env }).strict(),
]);
export type AlertButtonPayload = z.infer<typeof alertButtonPayload>;

/** Resume's "Acknowledge alerts and confirm": the critical alerts the approver saw firing. */
export const resumeAckPayload = z
  .object({
    v: z.literal(1),
    runId: id,
    alerts: z
      .array(z.string().regex(/^Caracal[A-Za-z]{1,60}$/))
      .min(1)
      .max(21),
  })
  .strict();

/** App Home's Previous/Next: the page to show (the person is the one who clicked). */
export const homePagePayload = z.object({ v: z.literal(1), page: z.number().int().min(0).max(10_000) }).strict();
