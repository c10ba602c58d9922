// The reference for ack latency: a Bolt app on the same receiver that only acks, in a process of its own
// (bare-bolt-server.ts), as the bot under measurement is. With `saveUrl`, it saves each request before its ack.
import { startChild } from './child.ts';

export async function startBareBolt(secret: string, saveUrl?: string): Promise<{ url: string; stop(): Promise<void> }> {
  const child = await startChild(new URL('./bare-bolt-server.ts', import.meta.url), {
    BARE_BOLT_SECRET: secret,
    ...(saveUrl ? { BARE_BOLT_SAVE_URL: saveUrl } : {}),
  });
  return { url: `http://127.0.0.1:${child.ready}/slack/events`, stop: child.stop };
}
