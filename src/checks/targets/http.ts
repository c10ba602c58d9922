// HTTP reads of Caracal services: bounded in time and size; transport failures become TargetError.
// A GET that meets a connection reset or an ingress's 502/503 is tried again with backoff, but only within the
// request's own time budget and the caller's signal: a retry never makes a check late, and a 4xx is never retried.
// Identical GETs in flight at the same time are sent once (see join).
import { setTimeout as sleep } from 'node:timers/promises';
import { TargetError } from '../../errors.ts';
import { CallBudgetExceeded, type CallBudget } from './call-budget.ts';

export interface HttpResponse {
  url: string;
  status: number;
  text: string;
  /** How many attempts it took (1 when the first answer was taken). */
  attempts: number;
  /** A response header (case-insensitive), e.g. `date`. */
  header(name: string): string | undefined;
  /** The body as JSON; throws TargetError when it is not JSON. */
  json(): unknown;
}

export interface HttpRequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  bearer?: string | undefined;
  /** Extra request headers (the Resume canary's); a request with any is never joined with another. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  body?: unknown;
  /** This request's own budget instead of the target's (a service known to answer slowly, e.g. §15.1.1). */
  timeoutMs?: number;
}

export interface HttpTarget {
  request(url: string, options?: HttpRequestOptions): Promise<HttpResponse>;
  /** The call budget every request is counted on, when there is one (a 429 is judged by its ownCalls). */
  budget?: CallBudget;
}

export interface HttpTargetOptions {
  timeoutMs: number;
  fetch?: typeof fetch;
  /** First backoff between attempts; doubles each time (default 100 ms). */
  retryBaseMs?: number;
  /** Attempts at most, the first included (default 4). */
  maxAttempts?: number;
  /** Counts every attempt against Caracal's per-minute limits and refuses to send past them (issue 18). */
  budget?: CallBudget;
  /**
   * Scrubs every body as it arrives, before any check shortens it into a snippet (issue 18): an error page that
   * echoes a header must not leave the first characters of a token behind a cut.
   */
  scrub?: (text: string) => string;
}

const MAX_BODY_BYTES = 1_000_000;
/** Codes of a connection the peer (or an ingress in between) dropped: the request may simply be tried again. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

function causeCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

function describe(err: unknown): string {
  const code = causeCode(err);
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code !== undefined && RESET_CODES.has(code)) return `connection reset (${code})`;
  if (code) return code;
  return (err as Error).message ?? String(err);
}

/**
 * Caracal's own 503s are JSON with a reason (§1.2-§1.6) and are the answer; an ingress's 502/503 (nginx, an
 * Envoy, a cloud load balancer between pods) is an HTML or plain-text page about the hop, not about Caracal.
 */
function isIngressError(status: number, text: string): boolean {
  if (status === 502) return true;
  if (status !== 503) return false;
  try {
    const body: unknown = JSON.parse(text);
    return typeof body !== 'object' || body === null;
  } catch {
    return true;
  }
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

type Attempt = { ok: true; status: number; text: string; headers: Headers } | { ok: false; err: unknown };

interface SharedRead {
  promise: Promise<HttpResponse>;
  controller: AbortController;
  waiting: number;
}

/**
 * Several checks of one run read the same URL (an STS pod's /metrics.json serves audit.replay, sts.policy and
 * sts.evaluation): a GET already in flight with the same URL and bearer is joined, not sent again. It is cancelled
 * only when every caller has given up; nothing is kept once it settles.
 */
function join(shared: SharedRead, signal: AbortSignal | undefined): Promise<HttpResponse> {
  shared.waiting++;
  if (!signal) return shared.promise;
  const onAbort = () => {
    if (--shared.waiting === 0) shared.controller.abort();
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  const detach = () => signal.removeEventListener('abort', onAbort);
  return shared.promise.finally(detach);
}

export function createHttpTarget(options: HttpTargetOptions): HttpTarget {
  const inFlight = new Map<string, SharedRead>();
  const send = createSender(options);
  return {
    request(url, opts = {}) {
      if ((opts.method ?? 'GET') !== 'GET' || opts.body !== undefined || opts.headers !== undefined) return send(url, opts, opts.signal);
      const key = `${url}\n${opts.bearer ?? ''}\n${opts.timeoutMs ?? ''}`;
      let shared = inFlight.get(key);
      if (!shared) {
        const controller = new AbortController();
        const promise = send(url, opts, controller.signal).finally(() => inFlight.delete(key));
        shared = { promise, controller, waiting: 0 };
        inFlight.set(key, shared);
      }
      return join(shared, opts.signal);
    },
    ...(options.budget ? { budget: options.budget } : {}),
  };
}

function createSender(options: HttpTargetOptions) {
  const doFetch = options.budget ? options.budget.wrap(options.fetch ?? globalThis.fetch) : (options.fetch ?? globalThis.fetch);
  const baseMs = options.retryBaseMs ?? 100;
  const maxAttempts = options.maxAttempts ?? 4;
  return async (url: string, opts: HttpRequestOptions, cancel: AbortSignal | undefined): Promise<HttpResponse> => {
    const method = opts.method ?? 'GET';
    const started = performance.now();
    // One budget for every attempt together: retrying must not stretch a request past its timeout.
    const budgetMs = opts.timeoutMs ?? options.timeoutMs;
    const timeout = AbortSignal.timeout(budgetMs);
    const signal = cancel ? AbortSignal.any([cancel, timeout]) : timeout;
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const where = `${method} ${displayUrl(url)}`;
    const once = async (): Promise<Attempt> => {
      try {
        const res = await doFetch(url, {
          method,
          headers,
          signal,
          ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
        });
        const text = await readLimited(res);
        return { ok: true, status: res.status, text: options.scrub ? options.scrub(text) : text, headers: res.headers };
      } catch (err) {
        return { ok: false, err };
      }
    };
    // Only reads are retried: a POST that reached Caracal before the reset may have acted already.
    const retryable = (a: Attempt) =>
      method === 'GET' && (a.ok ? isIngressError(a.status, a.text) : !signal.aborted && RESET_CODES.has(causeCode(a.err) ?? ''));
    let attempt = await once();
    let attempts = 1;
    while (attempts < maxAttempts && retryable(attempt)) {
      const wait = baseMs * 2 ** (attempts - 1);
      // Leave room for the next attempt to answer; otherwise the last answer stands.
      if (performance.now() - started + 2 * wait > budgetMs) break;
      try {
        await sleep(wait, undefined, { signal });
      } catch {
        break;
      }
      attempt = await once();
      attempts++;
    }
    const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
    if (!attempt.ok) {
      const err = attempt.err;
      if (err instanceof CallBudgetExceeded) throw new CallBudgetExceeded(where, `${where}: ${err.message}`);
      if (timeout.aborted) throw new TargetError(where, `${where}: no answer within ${budgetMs} ms${tries}`, { cause: err });
      if (cancel?.aborted) throw new TargetError(where, `${where}: cancelled${tries}`, { cause: err });
      throw new TargetError(where, `${where}: ${describe(err)}${tries}`, { cause: err });
    }
    const { status, text, headers: got } = attempt;
    return {
      url,
      status,
      text,
      attempts,
      header: (name) => got.get(name) ?? undefined,
      json() {
        try {
          return JSON.parse(text) as unknown;
        } catch (err) {
          throw new TargetError(where, `${where}: answered ${status} with a body that is not JSON${tries}`, { cause: err });
        }
      },
    };
  };
}
