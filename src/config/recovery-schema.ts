// Recovery runs and the work scheduled around them: approvals per gate, who approves and starts runs, where
// drills may run, and the watch, reminders and scheduled status of issue 17.
import { z } from 'zod';
import { GATES, type Gate } from '../domain/gates.ts';

export const recoverySchema = z
  .object({
    /** A check result older than this does not count for Confirm (fail closed). */
    freshnessMinutes: z.number().positive().default(5),
    /** Distinct approvers needed to confirm each gate. */
    approvalsRequired: z
      .object(
        Object.fromEntries(
          GATES.map((g) => [
            g,
            z
              .number()
              .int()
              .min(1)
              .max(5)
              .default(g === 'resume' ? 2 : 1),
          ]),
        ) as Record<Gate, z.ZodDefault<z.ZodNumber>>,
      )
      .strict()
      .prefault({}),
    approvers: z
      .object({
        users: z.array(z.string().regex(/^[UW][A-Z0-9]+$/, 'must be a Slack user ID (U… or W…)')).default([]),
        userGroups: z.array(z.string().regex(/^S[A-Z0-9]+$/, 'must be a Slack user group ID (S…)')).default([]),
        /** A group membership older than this (Slack unreachable) no longer grants approver-only actions. */
        maxStaleMinutes: z.number().positive().default(10),
      })
      .strict()
      .prefault({}),
    /** Who may start recovery runs and drills: approvers only, or anyone in the channel. */
    startRuns: z.enum(['approvers', 'anyone']).default('approvers'),
    /** Channels (IDs) where drills may run; none means no drills, so a rehearsal never blocks an incident channel. */
    drillChannels: z.array(z.string().regex(/^[CG][A-Z0-9]+$/, 'must be a Slack channel ID (C… or G…)')).default([]),
  })
  .strict()
  .prefault({});

/** Scheduled work (issue 17): watch, reminders and scheduled status, run by one replica at a time. */
export const schedulesSchema = z
  .object({
    /** Re-run the open gate's checks every this many minutes (per gate, else `everyMinutes`); `/caracal watch` changes it per run. */
    watch: z
      .object({
        everyMinutes: z.number().positive().default(5),
        gates: z.partialRecord(z.enum(GATES), z.number().positive()).default({}),
      })
      .strict()
      .prefault({}),
    reminders: z
      .object({
        /** A claimed gate with no activity this long reminds its claimant in the thread. */
        claimIdleMinutes: z.number().positive().default(30),
        /** After this much more, the channel is offered to release the claim. */
        releaseAfterMinutes: z.number().positive().default(30),
        /** A run with no activity this long asks the channel whether it is still active. */
        runIdleMinutes: z.number().positive().default(120),
        sweepSeconds: z.number().positive().default(60),
      })
      .strict()
      .prefault({}),
    /**
     * A scheduled run starts only while its /ready calls keep each /ready URL within this many calls this minute,
     * counted on the bot's one call budget (people's checks included; Caracal allows 120 per client IP, and
     * people's checks may go on up to limits.readyPerMinute).
     */
    readyCallsPerMinute: z.number().int().min(1).default(60),
    /** A gate's check results serve every watched run whose tick falls within this window (they watch one Caracal). */
    reuseResultsSeconds: z.number().min(0).default(60),
    pollSeconds: z.number().positive().default(5),
  })
  .strict()
  .prefault({});
