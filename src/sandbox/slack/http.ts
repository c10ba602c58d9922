// Small HTTP helpers shared by the sandbox's routes: bounded body reading, JSON answers, form/JSON arguments.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isObject, parseJsonField, type JsonObject } from './json.ts';

/** Far above any Slack payload; only a runaway client reaches it. */
const MAX_BODY = 2 * 1024 * 1024;

export class BodyTooLarge extends Error {}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new BodyTooLarge('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Web API arguments: @slack/web-api sends form bodies (nested values as JSON strings); Slack also accepts JSON
 * bodies. Both become one flat record; nested fields are parsed where they are read.
 */
export function parseArguments(contentType: string | undefined, raw: string): JsonObject {
  if ((contentType ?? '').startsWith('application/json')) {
    const parsed = parseJsonField(raw);
    return isObject(parsed) ? parsed : {};
  }
  return Object.fromEntries(new URLSearchParams(raw));
}
