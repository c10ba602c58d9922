// Save before ack (issue 14 item 8): Slack never retries an acked request, so a click acked in the instant before a
// SIGKILL is lost. A click that only writes to the bot's database is therefore handled first and acked once its
// transaction is committed; what it answers the person (respond) is held until the ack has gone out. The ack still
// goes out within Slack's 3 s: if the work outlives `budgetMs` (a slow database), the request is acked anyway and
// the work finishes after it, as an ack-first listener would.
import type { RespondArguments, RespondFn } from '@slack/bolt';

/** Well inside Slack's 3 s (and the receiver's unhandled-request timeout of 2.5 s). */
export const SAVE_BUDGET_MS = 1500;

export interface SaveFirstGate {
  /** Hand this to the work: answers are queued until `ack` has gone out, then sent in order. */
  respond: RespondFn;
  /** Ack (once) and send what was queued. */
  ack(): Promise<void>;
}

export function saveFirstGate(ack: () => Promise<void>, respond: RespondFn): SaveFirstGate {
  let acked: Promise<void> | undefined;
  let queued: (string | RespondArguments)[] = [];
  return {
    // Resolves at once while the ack is pending (the work must not wait for an answer that waits for the work),
    // with a 202 that stands for "accepted, sent after the ack".
    respond: (message) => {
      if (acked) return acked.then(() => respond(message));
      queued.push(message);
      return Promise.resolve(new Response(null, { status: 202 }));
    },
    ack() {
      acked ??= (async () => {
        await ack();
        const held = queued;
        queued = [];
        for (const m of held) await respond(m);
      })();
      return acked;
    },
  };
}

/**
 * Run `work` (given the gated respond) and ack when it is done or when `budgetMs` has passed, whichever comes first;
 * resolves when both the ack and the work are over. `work` must handle its own errors (answering them via respond).
 */
export async function saveThenAck(
  ack: () => Promise<void>,
  respond: RespondFn,
  work: (respond: RespondFn) => Promise<void>,
  budgetMs = SAVE_BUDGET_MS,
): Promise<void> {
  const gate = saveFirstGate(ack, respond);
  const done = work(gate.respond);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, budgetMs)));
  try {
    await Promise.race([done.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
  await gate.ack();
  await done;
}
