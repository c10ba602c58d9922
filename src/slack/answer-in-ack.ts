// A slash command answered in its ack (answersInAck): a request refused by a limit, or one that a report of a moment
// ago answers, is decided from memory in a few milliseconds, and the answer then rides on the HTTP response: no
// second request to the response_url, so a burst of requests costs one answer each. The ack still goes out within
// Slack's 3 s: if the decision outlives `budgetMs`, the request is acked empty and the work goes on after it.
import type { RespondArguments, RespondFn } from '@slack/bolt';
import { SAVE_BUDGET_MS } from './inbox.ts';

export interface AckGate {
  /** Hand this to the work: answers are queued until `ack` has gone out, then sent in order. */
  respond: RespondFn;
  /** Ack (once) and send what was queued. */
  ack: () => Promise<void>;
}

/** An ack; a slash command's may carry an answer (`answerInAck`). */
export type GateAck = (answer?: RespondArguments) => Promise<void>;

/** An answer the ack of a slash command can carry: ephemeral, a new message (not a replacement of one). */
function ackable(message: string | RespondArguments): RespondArguments | undefined {
  if (typeof message === 'string') return { response_type: 'ephemeral', text: message };
  if (message.response_type !== 'ephemeral' || message.replace_original || message.delete_original) return undefined;
  const { replace_original: _r, delete_original: _d, ...answer } = message;
  return answer;
}

/** The first answer given before the ack, if ephemeral, goes in the ack instead of to the response_url. */
export function ackGate(ack: GateAck, respond: RespondFn): AckGate {
  let acked: Promise<void> | undefined;
  let queued: (string | RespondArguments)[] = [];
  const sendAck = (answer?: RespondArguments) =>
    (acked ??= (async () => {
      await ack(answer);
      const held = queued;
      queued = [];
      for (const m of held) await respond(m);
    })());
  return {
    // Resolves at once while the ack is pending (the work must not wait for an answer that waits for the work),
    // with a 202 that stands for "accepted, sent after the ack".
    respond: (message) => {
      if (acked) return acked.then(() => respond(message));
      const answer = queued.length === 0 ? ackable(message) : undefined;
      if (answer) return sendAck(answer).then(() => new Response(null, { status: 200 }));
      queued.push(message);
      return Promise.resolve(new Response(null, { status: 202 }));
    },
    ack: () => sendAck(),
  };
}

/**
 * Run `work` (given the gated respond, and `ackNow` for when its quick part is over) and ack when it is done, calls
 * ackNow, or `budgetMs` has passed, whichever comes first; resolves when both the ack and the work are over. `work`
 * must handle its own errors (answering them via respond).
 */
export async function decideThenAck(
  ack: GateAck,
  respond: RespondFn,
  work: (respond: RespondFn, ackNow: () => Promise<void>) => Promise<void>,
  budgetMs = SAVE_BUDGET_MS,
): Promise<void> {
  const gate = ackGate(ack, respond);
  const done = work(gate.respond, gate.ack);
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
