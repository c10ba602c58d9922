// Narrowing helpers for the JSON the bot sends: Block Kit arrives as untyped JSON, and the sandbox must read
// it defensively (a malformed block is a validation error, never a crash of the sandbox).

export type JsonObject = Record<string, unknown>;

/** A plain object (as JSON.parse makes them): not an array, not an Error or other class instance. */
export function isObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The `text` of a text object (`{type:'plain_text'|'mrkdwn', text}`), or undefined. */
export function textOf(value: unknown): string | undefined {
  return isObject(value) ? str(value.text) : undefined;
}

export function objects(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/** Parse a JSON string field of a form body; `undefined` when absent, `Error` when it is not JSON. */
export function parseJsonField(raw: string | undefined): unknown {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return new Error('not JSON');
  }
}
