import { gunzipSync } from 'node:zlib';
import type { AxiosError, AxiosResponse, AxiosStatic } from 'axios';
import { Readable } from 'node:stream';
import { printable } from '../errors';
import type { Pacer } from './pace';

/** Cboe's CDN answers 403 to clients that do not look like a browser. */
export const BROWSER_USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36';

export interface HttpOptions {
  /** Bound on one whole attempt, redirects and the body included: a slow drip ends here too. @default 20000 ms */
  timeoutMs?: number;
  /** Largest accepted response body. @default 64 MiB (a full SPX chain is about 30 MB) */
  maxBytes?: number;
  /** Further attempts after the first, on 408, 429, 5xx and network errors. @default 3 */
  retries?: number;
  /**
   * Bound on the whole download, retries and waits included: no attempt runs or waits past it, so a run
   * fits well inside the Lambda's two minutes. @default 90000 ms
   */
  deadlineMs?: number;
  /**
   * First backoff delay, doubled on each retry with full jitter (a random wait up to the doubled delay, so
   * clients do not retry in step); a Retry-After header, capped at 30 s, wins. @default 500 ms
   */
  backoffMs?: number;
  /**
   * Paces the attempts with the other requests to the same venue (lambda/live/pace.ts); a 429's Retry-After
   * holds them all. @default none
   */
  pacer?: Pacer;
}

/**
 * A failed download: names the URL and what went wrong (status or network error). `transient` says whether
 * asking again later could help (408, 429, 5xx, timeouts, resets) or not (403, 404, too large, a redirect
 * that is not followed, a URL that is not http or https). Whatever the message quotes from upstream (a status
 * text, a Location) is made printable.
 */
export class FetchError extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly transient: boolean,
    readonly status?: number,
  ) {
    super(printable(message));
    this.name = 'FetchError';
  }
}

/** axios, loaded on first use: a run on recorded files downloads nothing and does not pay for loading it. */
function axiosModule(): AxiosStatic {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load; esbuild bundles it
  return require('axios') as AxiosStatic;
}

/** Redirects followed within one attempt; real sources use none or one. */
const MAX_REDIRECTS = 3;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Statuses worth asking again for: a request timeout, rate limiting, and the server's own faults. */
const retriedStatus = (status: number) => status === 408 || status === 429 || status >= 500;
const RETRY_AFTER_CAP_MS = 30_000;

/**
 * The wait a `Retry-After` header asks for, in ms, capped at 30 s: whole seconds, or an HTTP date (a date
 * already past means now). Null when there is none, or it is empty or unreadable: then the backoff applies.
 */
export function retryAfterMs(header: unknown, now: number): number | null {
  if (typeof header !== 'string') return null;
  const text = header.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : /[A-Za-z]/.test(text) ? Date.parse(text) - now : NaN;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), RETRY_AFTER_CAP_MS) : null;
}

const isHttp = (url: URL) => url.protocol === 'http:' || url.protocol === 'https:';

/**
 * Where a redirect leads, if it is one to follow: to http or https on the same host (an upgrade to https
 * included, never a downgrade), at most MAX_REDIRECTS times, never back to a URL already visited. Anything
 * else is refused at once and not retried: another host could serve another underlying's chain under the
 * name asked for, and the configured base URL is what the user trusts.
 */
function redirectTarget(
  from: string,
  response: AxiosResponse,
  visited: string[],
  refuse: (why: string) => never,
) {
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  const location = response.headers['location'];
  if (typeof location !== 'string' || location.trim() === '') refuse(`${status} without a Location`);
  if (!URL.canParse(location, from)) refuse(`${status} to ${location}, which is not a URL`);
  const source = new URL(from);
  const target = new URL(location, from);
  if (!isHttp(target))
    refuse(`${status} to a ${target.protocol} URL (${target.href}): only http and https are followed`);
  if (target.host !== source.host) {
    refuse(`${status} to another host (${target.href}): only redirects within ${source.host} are followed`);
  }
  if (source.protocol === 'https:' && target.protocol === 'http:')
    refuse(`${status} from https down to http`);
  if (visited.includes(target.href)) refuse(`a redirect loop (${[...visited, target.href].join(' → ')})`);
  if (visited.length > MAX_REDIRECTS) refuse(`more than ${MAX_REDIRECTS} redirects`);
  return target.href;
}

/**
/**
 * A response body's bytes, its size held to the limit by axios as they arrive. A connection closed before the
 * end is an error worth another attempt.
 */
async function bodyBytes(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of body) chunks.push(chunk as Buffer);
  } catch (e) {
    if (axiosModule().isAxiosError(e)) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? 'ERR_BAD_RESPONSE';
    throw new (axiosModule().AxiosError)('the connection closed before the body ended', code);
  }
  return Buffer.concat(chunks);
}

/**
 * A 2xx body as text (UTF-8, a byte-order mark dropped). A gzip body is unpacked strictly here rather than by
 * axios, whose lenient unpacking returns a stream cut mid-way as a shorter text (then refused as invalid JSON,
 * and never retried): a cut stream is a transient fault like any body cut short, and the unpacked size has the
 * same limit as the body.
 */
function bodyText(body: Buffer, encoding: unknown, maxBytes: number): string {
  const coding = typeof encoding === 'string' ? encoding.trim().toLowerCase() : '';
  let bytes = body;
  if (coding === 'gzip' || coding === 'x-gzip') {
    try {
      bytes = gunzipSync(body, { maxOutputLength: maxBytes });
    } catch (e) {
      const error = e as NodeJS.ErrnoException;
      if (error.code === 'ERR_BUFFER_TOO_LARGE') {
        throw new BodyError(`the unpacked body is over the ${maxBytes}-byte limit`, false);
      }
      // Z_BUF_ERROR "unexpected end of file": the stream stops before its end; Z_DATA_ERROR: damaged on the way.
      throw new BodyError(`the gzip body is cut or damaged (${error.code}: ${error.message})`, true);
    }
  } else if (coding !== '' && coding !== 'identity') {
    throw new BodyError(`a body in the ${coding} encoding, which was not asked for`, false);
  }
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A 2xx answer whose body cannot be used as it came: `transient` when another attempt may bring it whole. */
class BodyError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
  }
}

/**
 * One attempt: GET, following the redirects redirectTarget allows, until a 2xx body. The body is a stream,
 * so the headers come first: a body declared larger than the limit is refused before any of it is read,
 * whatever the speed of the line; one whose length is not declared is counted as it arrives.
 */
async function attempt(url: string, signal: AbortSignal, maxBytes: number): Promise<string> {
  const axios = axiosModule();
  const visited = [url];
  const refuse = (why: string): never => {
    throw new FetchError(`GET ${url} failed: ${why}`, url, false);
  };
  for (;;) {
    const current = visited.at(-1)!;
    const response = await axios.get<Readable>(current, {
      responseType: 'stream',
      decompress: false,
      signal,
      maxContentLength: maxBytes,
      maxRedirects: 0,
      validateStatus: (status) => (status >= 200 && status < 300) || REDIRECTS.has(status),
      headers: {
        'User-Agent': BROWSER_USER_AGENT,
        Accept: 'application/json, text/csv, */*',
        'Accept-Encoding': 'gzip',
      },
    });
    if (REDIRECTS.has(response.status)) {
      response.data.destroy();
      visited.push(redirectTarget(current, response, visited, refuse));
      continue;
    }
    const declared = Number(response.headers['content-length']);
    if (declared > maxBytes) {
      response.data.destroy();
      refuse(`a body of ${declared} bytes (its Content-Length) is over the ${maxBytes}-byte limit`);
    }
    return bodyText(await bodyBytes(response.data), response.headers['content-encoding'], maxBytes);
  }
}

/** Why an attempt failed, and whether another could help. */
interface Failure {
  reason: string;
  transient: boolean;
  status?: number;
  /** The wait the server asked for, if any. */
  retryAfter: number | null;
  /** The whole download's deadline passed: no further attempt. */
  final: boolean;
}

function failure(
  error: AxiosError,
  timedOut: boolean,
  pastDeadline: boolean,
  options: Required<Omit<HttpOptions, 'pacer'>>,
): Failure {
  const base = { retryAfter: null, final: false };
  if (pastDeadline) {
    const reason = `no complete answer within the ${options.deadlineMs / 1000} s deadline`;
    return { ...base, reason, transient: true, final: true };
  }
  if (timedOut)
    return { ...base, reason: `ECONNABORTED (timeout of ${options.timeoutMs}ms exceeded)`, transient: true };
  const status = error.response?.status;
  if (status !== undefined && !(status >= 200 && status < 300)) {
    const text = error.response?.statusText;
    return {
      reason: `HTTP ${status}${text ? ` ${text}` : ''}`,
      transient: retriedStatus(status),
      status,
      retryAfter: retryAfterMs(error.response?.headers?.['retry-after'], Date.now()),
      final: false,
    };
  }
  const reason = error.code ? `${error.code} (${error.message})` : error.message;
  // The size limit (asking again brings the same answer) and a bad request option are permanent; a reset, a
  // refused connection or a body cut mid-way may pass on the next attempt.
  const permanent = error.message.startsWith('maxContentLength') || error.code === 'ERR_BAD_OPTION';
  return { ...base, reason, transient: !permanent };
}

function timer(ms: number): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const id = setTimeout(() => controller.abort(), Math.max(1, ms));
  return { signal: controller.signal, clear: () => clearTimeout(id) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * GET a URL as text with a browser-like User-Agent, a timeout on each whole attempt, a size limit and bounded
 * retries: transient faults are retried with full-jitter backoff (or the server's Retry-After) until
 * `retries` or the deadline runs out; permanent ones (a URL that is not http or https, a redirect not
 * followed, 4xx but 408 and 429, a body too large) fail at once.
 */
export async function fetchText(url: string, options: HttpOptions = {}): Promise<string> {
  const { pacer, ...rest } = options;
  const settings: Required<Omit<HttpOptions, 'pacer'>> = {
    timeoutMs: 20000,
    maxBytes: 64 * 1024 * 1024,
    retries: 3,
    backoffMs: 500,
    deadlineMs: 90000,
    ...rest,
  };
  if (!URL.canParse(url) || !isHttp(new URL(url))) {
    throw new FetchError(`GET ${url} failed: not an http or https URL`, url, false);
  }
  // Loaded before the first turn is taken: loading it takes a tenth of a second, which would otherwise put the
  // request that far after the turn the pacer counted, and closer to the next one.
  axiosModule();
  const deadlineAt = Date.now() + settings.deadlineMs;
  const deadline = timer(settings.deadlineMs);
  try {
    for (let tries = 1; ; tries++) {
      if (pacer && !(await pacer.turn(deadlineAt))) {
        throw new FetchError(
          `GET ${url} failed: the venue's request rate leaves no turn within the ${settings.deadlineMs / 1000} s deadline`,
          url,
          true,
        );
      }
      const limit = timer(settings.timeoutMs);
      let failed: Failure;
      try {
        return await attempt(url, AbortSignal.any([limit.signal, deadline.signal]), settings.maxBytes);
      } catch (e) {
        if (e instanceof BodyError) {
          failed = { reason: e.message, transient: e.transient, retryAfter: null, final: false };
        } else if (axiosModule().isAxiosError(e)) {
          // An answer refused for its status still holds its body's stream open: let the connection go.
          if (e.response?.data instanceof Readable) e.response.data.destroy();
          failed = failure(e, limit.signal.aborted, deadline.signal.aborted, settings);
        } else throw e;
      } finally {
        limit.clear();
      }
      const wait = failed.retryAfter ?? Math.random() * settings.backoffMs * 2 ** tries;
      // The venue asked this client to slow down: every request of this process to it waits as long.
      if (failed.retryAfter !== null) pacer?.holdUntil(Date.now() + failed.retryAfter);
      if (tries > settings.retries || !failed.transient || failed.final || Date.now() + wait >= deadlineAt) {
        throw new FetchError(
          `GET ${url} failed: ${failed.reason}${tries > 1 ? ` after ${tries} attempts` : ''}`,
          url,
          failed.transient,
          failed.status,
        );
      }
      await sleep(wait);
    }
  } finally {
    deadline.clear();
  }
}
