import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fetchText, FetchError } from '../../lambda/live/http';
import { Pacer } from '../../lambda/live/pace';
import { startUpstream, type Upstream } from '../support/upstream';

/** A loopback server that answers every request with "ok", noting when each arrived (its own clock). */
let upstream: Upstream;
let base: string;
let arrivals: number[];
let answer: (n: number) => { status: number; headers?: Record<string, string> };

beforeAll(async () => {
  upstream = await startUpstream((_req, res) => {
    arrivals.push(Date.now());
    const { status, headers } = answer(arrivals.length);
    res.writeHead(status, headers).end('ok');
  });
  base = upstream.base;
});
afterAll(() => upstream.close());
beforeEach(() => {
  arrivals = [];
  answer = () => ({ status: 200 });
});

/** The most arrivals in any window of `ms` (half-open, starting at an arrival). */
function busiest(times: number[], ms: number): number {
  const t = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[j]! < t[i]! - ms + 1) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** Runs one paced client process to its end (tests/support/paced-client.ts). */
function client(env: Record<string, string>): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, '..', 'support', 'paced-client.ts')],
    {
      env: { ...process.env, CBOE_BASE_URL: base, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) =>
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`client exited ${code}: ${stderr}`)),
    ),
  );
}

describe('a venue rate shared by concurrent functions', () => {
  it('keeps 4 processes, each with 3 downloads at once, under the rate in every 1 s window', async () => {
    // 8 a second shared by 4: each process starts one request every 500 ms.
    const env = { MAX_CONCURRENCY: '4', REQUESTS_PER_SECOND_CBOE: '8', REQUESTS: '6', LOOPS: '3' };
    await Promise.all([1, 2, 3, 4].map(() => client(env)));
    expect(arrivals).toHaveLength(24);
    // The pacer counts a request when it starts it; the server sees it later, by a delay that varies (the
    // first request of a process sets up its HTTP stack, about a tenth of a second on this busy machine). The
    // window is shortened by that much rather than the rate loosened: a process that ignored its share (8 a
    // second each) or the pacer left out puts all 24 in one such window.
    const JITTER_MS = 200;
    expect(busiest(arrivals, 1000 - JITTER_MS)).toBeLessThanOrEqual(8);
  });
});

describe('a pacer', () => {
  it('holds every request of the process after a 429 for as long as its Retry-After asks', async () => {
    answer = (n) => (n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 });
    const pacer = new Pacer(1);
    const first = fetchText(`${base}/a`, { pacer, backoffMs: 5 });
    // Another download to the same venue, asked for after the 429 came back.
    while (arrivals.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = fetchText(`${base}/b`, { pacer, backoffMs: 5 });
    await expect(Promise.all([first, second])).resolves.toEqual(['ok', 'ok']);
    expect(arrivals).toHaveLength(3);
    // The 429 left the server at or after arrivals[0]; both later requests waited a whole second after it.
    for (const later of arrivals.slice(1)) expect(later - arrivals[0]!).toBeGreaterThanOrEqual(1000);
  });

  it('refuses a turn past the download deadline at once, as a transient failure', async () => {
    const pacer = new Pacer(60_000);
    await fetchText(`${base}/a`, { pacer });
    const late = await fetchText(`${base}/b`, { pacer, deadlineMs: 2000 }).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(FetchError);
    expect((late as FetchError).message).toBe(
      `GET ${base}/b failed: the venue's request rate leaves no turn within the 2 s deadline`,
    );
    expect((late as FetchError).transient).toBe(true);
    expect(arrivals).toHaveLength(1);
  });
});
