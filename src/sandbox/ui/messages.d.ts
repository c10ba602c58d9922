// Types for messages.js (plain JS served to the browser as-is), so TypeScript tests can import it.
import type { RenderContext } from './blocks.js';

export interface TimelineContext extends RenderContext {
  shortcuts?: { callbackId: string; name: string }[];
}

export function messageHtml(message: unknown, ctx: TimelineContext): string;
export function timelineHtml(state: unknown, openThreads: Set<string>, ctx: TimelineContext): string;
