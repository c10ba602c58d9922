// How checks judge and how often they may run: the thresholds of Caracal's signals, check timeouts, and the
// budgets (issue 18) that keep people and the bot within what Caracal allows.
import { z } from 'zod';

export const thresholdsSchema = z
  .object({
    outboxPendingAgeSeconds: z.number().positive().default(300),
    revocationSnapshotMaxAgeSeconds: z.number().positive().default(70),
    streamPendingMax: z.number().int().nonnegative().default(1000),
    streamLagMax: z.number().int().nonnegative().default(1000),
    streamPendingIdleSeconds: z.number().positive().default(120),
    tamperSweepMaxAgeSeconds: z.number().positive().default(7200),
    postgresLatencyWarnMs: z.number().positive().default(500),
    // Caracal's own diagnostics (packages/engine/src/doctor.ts): clock skew, backlog warnings; cert expiry per issue 19.
    clockSkewWarnSeconds: z.number().positive().default(2),
    clockSkewFailSeconds: z.number().positive().default(30),
    certificateExpiryWarnDays: z.number().positive().default(14),
    auditConsumerLagMax: z.number().int().nonnegative().default(1000),
    coordinatorPendingMax: z.number().int().nonnegative().default(500),
  })
  .strict()
  .prefault({});

export const checksSchema = z
  .object({
    defaultTimeoutMs: z.number().int().positive().default(5000),
    timeouts: z.record(z.string(), z.number().int().positive()).default({}),
    httpTimeoutMs: z.number().int().positive().default(3000),
    /**
     * API and Coordinator GET /ready: with Redis down they answer 500 internal_error only after their Redis
     * client gives up, 0.5 to 21 s later (caracal-ops.md §15.1.1); a shorter wait sees "no answer", not the 500.
     */
    readyAnswerTimeoutMs: z.number().int().positive().default(25_000),
  })
  .strict()
  .prefault({});

/** Single-flight and budgets (issue 18): what one person, one channel and the bot itself may ask for. */
export const limitsSchema = z
  .object({
    /** A check finished less than this ago is handed out again instead of run again (0: share only runs in flight). */
    resultCacheMs: z.number().int().min(0).default(10_000),
    /** Calls per minute this replica makes to one /ready URL; Caracal refuses past 120 per client address. */
    readyPerMinute: z.number().int().min(1).max(120).default(100),
    /** Calls per minute this replica makes to one Coordinator (every route but /health); Caracal refuses past 600. */
    coordinatorPerMinute: z.number().int().min(1).max(600).default(500),
    /** Requests that run checks or post reports (status, Run checks, troubleshoot, Details), per minute. */
    checksPerUserPerMinute: z.number().int().min(1).default(12),
    checksPerChannelPerMinute: z.number().int().min(1).default(30),
    /** Notes (command and message shortcut) per minute. */
    notesPerUserPerMinute: z.number().int().min(1).default(10),
    notesPerChannelPerMinute: z.number().int().min(1).default(30),
  })
  .strict()
  .prefault({});
