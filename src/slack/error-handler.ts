// The one place that turns a thrown error into an answer for the person who clicked or typed.
import { randomBytes } from 'node:crypto';
import type { RespondFn } from '@slack/bolt';
import { UserFacingError } from '../errors.ts';
import type { Logger } from '../logger.ts';

export async function answerError(err: unknown, on: { respond: RespondFn; logger: Logger }): Promise<void> {
  let text: string;
  if (err instanceof UserFacingError) {
    text = err.message;
    on.logger.info({ code: err.code, reason: err.message }, 'request refused');
  } else {
    // A correlation id lets on-call find the stack in the logs without showing it in the channel.
    const ref = randomBytes(4).toString('hex');
    on.logger.error({ err, ref }, 'handler failed');
    // Never "nothing was changed": the failure may come after a write or a call. Actions with side effects on
    // Caracal answer their own outcome (src/actions/remediate.ts).
    text = `:boom: Something went wrong on my side (ref \`${ref}\`). Check the dashboard and the thread to see whether your click was recorded before trying again, or run \`caracal-chatops check\` from a terminal.`;
  }
  try {
    await on.respond({ response_type: 'ephemeral', replace_original: false, text });
  } catch (respondErr) {
    on.logger.warn({ err: respondErr }, 'could not answer the user');
  }
}
