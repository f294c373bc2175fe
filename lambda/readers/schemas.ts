import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.cjs';
import { COUNT_PROBLEMS, MAX_CONTRACTS } from './common';
import { InputError } from '../errors';

// zod/mini keeps the bundles small (about 20 KB against 440 KB for the classic API) but loads no messages.
z.config(en());

/**
 * The shapes of the JSON responses, checked before any maths. Only the fields the product reads are
 * described, and the checked copy keeps only those (`z.object`, which zod compiles: about 5 ms for 9,000
 * contracts where a pass-through object takes 70). A number that arrives as a string, a negative count or price, or a
 * missing array means the source changed or broke, and the whole chain is refused. `null` is the
 * sources' own "no value" and is left for the filters to count (docs/methodology.md §3).
 */

/** The array of contracts: 1 to MAX_CONTRACTS rows of the given shape. */
const contracts = <Row extends z.ZodMiniType>(row: Row) =>
  z.array(row).check(z.minLength(1, COUNT_PROBLEMS.none), z.maxLength(MAX_CONTRACTS, COUNT_PROBLEMS.tooMany));

/** A number, or null for "no value". */
const nonNegativeOrNull = z.nullable(z.number().check(z.nonnegative()));
const positive = () => z.number().check(z.positive());

const cboeOption = z.object({
  option: z.string(),
  open_interest: nonNegativeOrNull,
  iv: nonNegativeOrNull,
  gamma: z.optional(z.nullable(z.number())),
});

/** `data` of a Cboe delayed-quotes response (or the whole document, in the older form). */
export const cboeData = z.object({
  options: contracts(cboeOption),
  current_price: positive(),
});

const deribitRow = z.object({
  instrument_name: z.string(),
  open_interest: nonNegativeOrNull,
  mark_iv: nonNegativeOrNull,
  underlying_price: z.nullable(positive()),
  estimated_delivery_price: positive(),
  creation_timestamp: z.number(),
  base_currency: z.optional(z.string()),
});

/** A Deribit `get_book_summary_by_currency` JSON-RPC result. */
export const deribitResult = z.object({ result: contracts(deribitRow) });

/** A JSON-RPC error answer. */
export const rpcError = z.looseObject({
  error: z.looseObject({ code: z.unknown(), message: z.unknown() }),
});

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let value = doc;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | null | undefined)?.[key];
  return value;
}

function pathText(prefix: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) =>
      typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key),
    prefix,
  );
}

/**
 * The document as the schema's type, or bad input naming the file or URL, the format, the first problem's
 * field path and value, and how many more there are.
 */
export function checked<T extends z.ZodMiniType>(
  schema: T,
  doc: unknown,
  origin: string,
  format: string,
  prefix = '',
): z.infer<T> {
  const result = schema.safeParse(doc);
  if (result.success) return result.data;
  const [first, ...rest] = result.error.issues;
  const issue = first!;
  const value = valueAt(doc, issue.path);
  const shown =
    value === undefined
      ? 'missing'
      : Array.isArray(value)
        ? `an array of ${value.length}`
        : JSON.stringify(value).slice(0, 60);
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
  throw new InputError(
    `${origin}: not a valid ${format}: ${pathText(prefix, issue.path)} is ${shown}: ${issue.message}${more}`,
  );
}
