import type { Venue } from './types';

/** Where one underlying's run can fail, in order. */
export type Stage = 'read' | 'fetch' | 'validate' | 'analyse' | 'publish';

/**
 * The names a failed underlying ends with. Step Functions retries only the transient ones (`lib/runs.ts`)
 * and the aggregate step reads the stage back from the name; the CLI prints the same one line.
 */
export const FAILURES = {
  /** 429, 5xx, timeouts and resets, still failing after the HTTP retries. */
  SourceUnavailable: { stage: 'fetch', transient: true },
  /** 403, 404 and other 4xx, or a response over the size limit: asking again gives the same answer. */
  SourceRefused: { stage: 'fetch', transient: false },
  /** A recorded file that cannot be read. */
  ReadFailed: { stage: 'read', transient: false },
  /** The data is malformed, incomplete, out of bounds or stale. */
  InvalidData: { stage: 'validate', transient: false },
  /** A fault in the calculation itself: a bug, never retried. */
  AnalysisFailed: { stage: 'analyse', transient: false },
  /** The store refused a write after the SDK's own retries. */
  PublishFailed: { stage: 'publish', transient: true },
} as const satisfies Record<string, { stage: Stage; transient: boolean }>;

export type FailureName = keyof typeof FAILURES;

/** Failure names Step Functions should retry. */
export const TRANSIENT_FAILURES = (Object.keys(FAILURES) as FailureName[]).filter(
  (name) => FAILURES[name].transient,
);

/** Where a chain comes from: `cboe` or `deribit` for live data, `file` for a recorded one. */
export type SourceName = Venue | 'file';

/** One underlying's failure: which input, from where, at which stage, and why, in one line. */
export class RunFailure extends Error {
  override readonly name: FailureName;

  constructor(
    name: FailureName,
    readonly label: string,
    readonly source: SourceName,
    readonly reason: Error,
  ) {
    super(describeFailure(label, source, FAILURES[name].stage, reason.message), { cause: reason });
    this.name = name;
  }

  get stage(): Stage {
    return FAILURES[this.name].stage;
  }
}

/**
 * The one-line form shared by the CLI's stderr and the Lambda error: `SPY (source cboe, stage fetch): …`.
 * A cause that already starts with the file's name does not repeat it.
 */
function describeFailure(label: string, source: string, stage: string, cause: string): string {
  const own = cause.startsWith(`${label}: `) ? cause.slice(label.length + 2) : cause;
  return `${label} (source ${source}, stage ${stage}): ${own}`;
}
