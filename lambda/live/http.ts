import axios, { type AxiosError } from 'axios';

/** Cboe's CDN answers 403 to clients that do not look like a browser. */
export const BROWSER_USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36';

export interface HttpOptions {
  /** Per-attempt timeout. @default 20000 ms */
  timeoutMs?: number;
  /** Largest accepted response body. @default 64 MiB (a full SPX chain is about 30 MB) */
  maxBytes?: number;
  /** Further attempts after the first, on 429, 5xx and network errors. @default 3 */
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
}

/**
 * A failed download: names the URL and what went wrong (status or network error). `transient` says whether
 * asking again later could help (429, 5xx, timeouts, resets) or not (403, 404, too large).
 */
export class FetchError extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly transient: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'FetchError';
  }
}

/** The size limit: asking again brings the same too-large answer. */
const tooLarge = (error: AxiosError) => error.message.startsWith('maxContentLength');

/** An HTTP error status (a body cut mid-way carries the 200 it started with). */
const failedStatus = (error: AxiosError) => {
  const status = error.response?.status;
  return status !== undefined && status >= 400 ? status : undefined;
};

function retryable(error: AxiosError): boolean {
  if (tooLarge(error) || error.code === 'ERR_BAD_OPTION') return false;
  const status = failedStatus(error);
  return status === undefined || status === 429 || status >= 500;
}

/** The deadline signal's abort, named as the timeout it is. */
function deadlineError(error: AxiosError): boolean {
  return error.code === 'ERR_CANCELED';
}

function retryAfterMs(error: AxiosError): number | null {
  const header = error.response?.headers?.['retry-after'];
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 30) * 1000 : null;
}

function describe(error: AxiosError, deadlineMs: number): string {
  if (deadlineError(error)) return `no complete answer within the ${deadlineMs / 1000} s deadline`;
  const status = failedStatus(error);
  const text = error.response?.statusText;
  if (status !== undefined) return `HTTP ${status}${text ? ` ${text}` : ''}`;
  return error.code ? `${error.code} (${error.message})` : error.message;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * GET a URL as text with a browser-like User-Agent, a timeout, a size limit and bounded retries: transient
 * faults are retried with full-jitter backoff (or the server's Retry-After) until `retries` or the deadline
 * runs out; permanent ones fail at once.
 */
export async function fetchText(url: string, options: HttpOptions = {}): Promise<string> {
  const { timeoutMs = 20000, maxBytes = 64 * 1024 * 1024, retries = 3, backoffMs = 500 } = options;
  const { deadlineMs = 90000 } = options;
  const deadline = Date.now() + deadlineMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await axios.get<string>(url, {
        responseType: 'text',
        transformResponse: (body: string) => body,
        timeout: timeoutMs,
        signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
        maxContentLength: maxBytes,
        maxRedirects: 3,
        headers: { 'User-Agent': BROWSER_USER_AGENT, Accept: 'application/json, text/csv, */*' },
      });
      return response.data;
    } catch (e) {
      if (!axios.isAxiosError(e)) throw e;
      const transient = retryable(e);
      const wait = retryAfterMs(e) ?? Math.random() * backoffMs * 2 ** (attempt + 1);
      if (attempt >= retries || !transient || deadlineError(e) || Date.now() + wait >= deadline) {
        const tries = attempt + 1;
        throw new FetchError(
          `GET ${url} failed: ${describe(e, deadlineMs)}${tries > 1 ? ` after ${tries} attempts` : ''}`,
          url,
          transient,
          failedStatus(e),
        );
      }
      await sleep(wait);
    }
  }
}
