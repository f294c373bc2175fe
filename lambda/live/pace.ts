/**
 * Politeness towards one venue. A run's underlyings are fetched by separate functions (processes) at once,
 * up to the map's concurrency, and they share no memory: so each process takes an equal share of the venue's
 * rate, rate ÷ concurrency, and starts its requests at least concurrency ÷ rate seconds apart. Together they
 * stay at or under the rate whatever the order they run in. Within one process (a warm function's later
 * invocations, or the CLI's concurrent downloads) one pacer per venue is shared by every request.
 */
export class Pacer {
  /** When this process's last request to the venue started, by its clock (ms since the epoch). */
  private last = -Infinity;
  /** No request before this instant: the venue asked for a pause. */
  private hold = 0;
  /** The turns already given or waiting, in order: one request starts at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  /** @param intervalMs the least time between two request starts of this process. */
  constructor(readonly intervalMs: number) {}

  /**
   * Waits for this process's next turn, after every turn asked for before it; the time of a turn is read
   * from the clock when it is given, so a timer that fires late never brings two starts closer. A turn that
   * would come after `deadlineAt` is not taken: the answer is false, and the caller gives up rather than wait
   * past its deadline.
   */
  turn(deadlineAt: number): Promise<boolean> {
    const mine = this.queue.then(async () => {
      const at = Math.max(Date.now(), this.last + this.intervalMs, this.hold);
      if (at > deadlineAt) return false;
      for (let now = Date.now(); now < at; now = Date.now()) {
        await new Promise((resolve) => setTimeout(resolve, at - now));
      }
      this.last = Date.now();
      return true;
    });
    this.queue = mine;
    return mine;
  }

  /** The venue asked for a pause (429 with Retry-After): no request of this process starts before `until`. */
  holdUntil(until: number): void {
    this.hold = Math.max(this.hold, until);
  }
}

/**
 * The pacer of a process that shares a venue's `requestsPerSecond` with `concurrency - 1` others running at
 * the same time.
 */
export function sharePacer(requestsPerSecond: number, concurrency: number): Pacer {
  return new Pacer((1000 * concurrency) / requestsPerSecond);
}
