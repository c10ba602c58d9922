// Types for blocks.js (plain JS served to the browser as-is), so TypeScript tests can import it.

export interface RenderContext {
  /** User id -> display name, for <@U…> mentions. */
  users?: Record<string, string>;
  /** Milliseconds; "now" for {ago} and Today/Yesterday. */
  now?: number;
  /** Modal input errors by block_id. */
  errors?: Record<string, string>;
  /** Modal input values: block_id -> action_id -> text. */
  draft?: Record<string, Record<string, string>>;
}

export const EMOJI: Record<string, string>;
export function escapeHtml(value: unknown): string;
export function formatDate(seconds: number, format: string, now?: number): string;
export function mrkdwn(source: string, ctx?: RenderContext): string;
export function plainText(obj: { text?: string; emoji?: boolean } | undefined): string;
export function textObject(obj: unknown, ctx?: RenderContext): string;
export function rawJson(value: unknown, kind: string): string;
export function renderElement(element: unknown, block: unknown, ctx?: RenderContext): string;
export function renderBlock(block: unknown, ctx?: RenderContext): string;
export function renderBlocks(blocks: unknown, ctx?: RenderContext): string;
