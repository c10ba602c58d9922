// A slash command answered in its ack (slack/answer-in-ack.ts): what was decided before the ack rides on it when it is
// the first ephemeral answer; anything else goes to the response_url after the ack, in order; the ack never waits
// past the budget.
import { describe, expect, it } from 'vitest';
import { ackGate, decideThenAck } from '../../src/slack/answer-in-ack.ts';
import { waitFor } from '../helpers/slack.ts';

/** A gate that answers in the ack, recording what rode on the ack and what went to the response_url. */
function recordingGate() {
  const acks: (string | undefined)[] = [];
  const sent: string[] = [];
  const gate = ackGate(
    (answer) => {
      acks.push(answer?.text);
      return Promise.resolve();
    },
    (m) => {
      sent.push(typeof m === 'string' ? m : (m.text ?? ''));
      return Promise.resolve(new Response(null));
    },
  );
  return { acks, sent, gate };
}

describe('answer in the ack', () => {
  it('acks once the budget is spent even if the decision is still running, and the work then finishes', async () => {
    let finish: () => void = () => undefined;
    const work = new Promise<void>((r) => (finish = r));
    const order: string[] = [];
    const done = decideThenAck(
      () => {
        order.push('ack');
        return Promise.resolve();
      },
      () => Promise.resolve(new Response(null)),
      async () => {
        await work;
        order.push('decided');
      },
      20,
    );
    await waitFor(() => order.includes('ack'));
    expect(order).toEqual(['ack']);
    finish();
    await done;
    expect(order).toEqual(['ack', 'decided']);
  });

  it('answers that cannot ride on the ack are held and sent after it, in order', async () => {
    const sent: string[] = [];
    const gate = ackGate(
      () => {
        sent.push('ack');
        return Promise.resolve();
      },
      (m) => {
        sent.push(typeof m === 'string' ? m : (m.text ?? ''));
        return Promise.resolve(new Response(null));
      },
    );
    await gate.respond({ response_type: 'in_channel', text: 'first' });
    await gate.respond({ text: 'second' });
    expect(sent).toEqual([]);
    await gate.ack();
    await gate.respond('third');
    expect(sent).toEqual(['ack', 'first', 'second', 'third']);
  });

  it('the first ephemeral answer given before the ack is the ack; the rest go to the response_url', async () => {
    const { acks, sent, gate } = recordingGate();
    await gate.respond({ response_type: 'ephemeral', replace_original: false, text: 'refused: slow down' });
    await gate.respond({ response_type: 'ephemeral', text: 'a second answer' });
    await gate.ack(); // once only
    expect(acks).toEqual(['refused: slow down']);
    expect(sent).toEqual(['a second answer']);
  });

  it('an answer that replaces a message or is public never rides on the ack', async () => {
    const { acks, sent, gate } = recordingGate();
    await gate.respond({ response_type: 'ephemeral', replace_original: true, text: 'replacement' });
    await gate.respond({ response_type: 'in_channel', text: 'public' });
    expect(acks).toEqual([]);
    await gate.ack();
    expect(acks).toEqual([undefined]);
    expect(sent).toEqual(['replacement', 'public']);
  });
});
