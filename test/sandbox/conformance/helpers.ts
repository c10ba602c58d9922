// Plain HTTP against the simulated services, as an operator's curl would do it: no bot code in between.
export interface Answer {
  status: number;
  /** Parsed JSON when the body is JSON, else the text. */
  body: unknown;
  contentType: string;
  ms: number;
}

export async function call(
  url: string,
  init: { method?: string; token?: string; body?: string; contentType?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  if (init.contentType !== undefined) headers['content-type'] = init.contentType;
  const started = performance.now();
  const res = await fetch(url, { method: init.method ?? 'GET', headers, ...(init.body !== undefined ? { body: init.body } : {}) });
  const text = await res.text();
  const contentType = res.headers.get('content-type') ?? '';
  let body: unknown = text;
  if (contentType.includes('json')) body = JSON.parse(text) as unknown;
  return { status: res.status, body, contentType, ms: performance.now() - started };
}

export const keys = (body: unknown): string[] => (typeof body === 'object' && body !== null ? Object.keys(body).sort() : []);
