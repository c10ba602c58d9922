// HTTP reads of Caracal services: bounded in time and size; transport failures become TargetError.
import { TargetError } from '../../errors.ts';

export interface HttpResponse {
  url: string;
  status: number;
  text: string;
  /** The body as JSON; throws TargetError when it is not JSON. */
  json(): unknown;
}

export interface HttpRequestOptions {
  method?: 'GET' | 'POST';
  bearer?: string | undefined;
  signal?: AbortSignal;
  body?: unknown;
}

export interface HttpTarget {
  request(url: string, options?: HttpRequestOptions): Promise<HttpResponse>;
}

const MAX_BODY_BYTES = 1_000_000;

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code === 'ECONNREFUSED' ? 'connection refused' : cause.code;
  return (err as Error).message ?? String(err);
}

async function readLimited(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader: ReadableStreamDefaultReader<Uint8Array> = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new Error(`body larger than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Strip query strings from URLs shown to people: they never need them and they could carry tokens. */
export function displayUrl(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

export function createHttpTarget(options: { timeoutMs: number; fetch?: typeof fetch }): HttpTarget {
  const doFetch = options.fetch ?? globalThis.fetch;
  return {
    async request(url, opts = {}) {
      const method = opts.method ?? 'GET';
      const timeout = AbortSignal.timeout(options.timeoutMs);
      const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
      const headers: Record<string, string> = { accept: 'application/json' };
      if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
      if (opts.body !== undefined) headers['content-type'] = 'application/json';
      const where = `${method} ${displayUrl(url)}`;
      let text: string;
      let status: number;
      try {
        const res = await doFetch(url, {
          method,
          headers,
          signal,
          ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
        });
        status = res.status;
        text = await readLimited(res);
      } catch (err) {
        if (timeout.aborted) throw new TargetError(where, `${where}: no answer within ${options.timeoutMs} ms`, { cause: err });
        if (opts.signal?.aborted) throw new TargetError(where, `${where}: cancelled`, { cause: err });
        throw new TargetError(where, `${where}: ${describe(err)}`, { cause: err });
      }
      return {
        url,
        status,
        text,
        json() {
          try {
            return JSON.parse(text) as unknown;
          } catch (err) {
            throw new TargetError(where, `${where}: answered ${status} with a body that is not JSON`, { cause: err });
          }
        },
      };
    },
  };
}
