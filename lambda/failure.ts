import { FAILURES, type FailureName, type Stage } from './contract';
import type { Venue } from './venues';

/** Where a chain comes from: a venue's live API, or a recorded `file`. */
export type Origin = Venue | 'file';

/** One underlying's failure: which input, from where, at which stage, and why, in one line. */
export class RunFailure extends Error {
  override readonly name: FailureName;

  constructor(
    name: FailureName,
    readonly label: string,
    readonly origin: Origin,
    readonly reason: Error,
  ) {
    super(describeFailure(label, origin, FAILURES[name].stage, reason.message), { cause: reason });
    this.name = name;
  }

  get stage(): Stage {
    return FAILURES[this.name].stage;
  }
}

/**
 * The one-line form shared by the CLI's stderr and the Lambda error: `SPY (cboe, stage fetch): …`.
 * A cause that already starts with the file's name does not repeat it.
 */
function describeFailure(label: string, origin: Origin, stage: Stage, cause: string): string {
  const own = cause.startsWith(`${label}: `) ? cause.slice(label.length + 2) : cause;
  return `${label} (${origin}, stage ${stage}): ${own}`;
}
