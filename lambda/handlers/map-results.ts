import * as z from 'zod/mini';
import { FAILURES, type FailureName } from '../contract';
import { parseStrictJson } from '../json';
import { checked } from '../readers/schemas';
import type { Store } from '../store/store';
import type { UnderlyingResult } from './underlying';

/**
 * What the run knows of one underlying: its batch's result for it, or, when the whole batch failed (a Lambda
 * timeout, throttling past the retries, a crash), the name of the error Step Functions recorded for the batch.
 */
export type MapOutcome =
  Exclude<UnderlyingResult, { status: 'failed' }> | { symbol: string; status: 'failed'; error: string };

/** The result files the map's result writer lists in its manifest, by the status of their batches. */
const manifest = z.object({
  ResultFiles: z.object({
    SUCCEEDED: z.array(z.object({ Key: z.string() })),
    FAILED: z.array(z.object({ Key: z.string() })),
    PENDING: z.array(z.object({ Key: z.string() })),
  }),
});

/**
 * One batch as the result writer records it (Transformation NONE, JSON): its input and output as JSON
 * text, and for a batch that did not succeed, the error's name.
 */
const execution = z.object({
  Status: z.string(),
  Input: z.string(),
  Output: z.optional(z.string()),
  Error: z.optional(z.string()),
});

/** A batch's input, as the map's item batcher hands it to the underlying function. */
const batchInput = z.object({ Items: z.array(z.object({ symbol: z.string() })) });

const failureName = z.enum(Object.keys(FAILURES) as [FailureName, ...FailureName[]]);

/** A batch's output: the underlying function's result for each of its underlyings. */
const batchOutput = z.array(
  z.discriminatedUnion('status', [
    z.object({ symbol: z.string(), status: z.literal('published'), asOf: z.string(), latest: z.boolean() }),
    z.object({ symbol: z.string(), status: z.literal('skipped'), reason: z.string() }),
    z.object({ symbol: z.string(), status: z.literal('failed'), error: failureName }),
  ]),
);

/** A JSON document from the runs bucket, checked against its shape; a missing one is named. */
async function read<T extends z.ZodMiniType>(runs: Store, key: string, schema: T): Promise<z.infer<T>> {
  const text = await runs.get(key);
  if (text === null) throw new Error(`map results: ${key} is missing from the runs bucket`);
  return checked(schema, parseStrictJson(text), { origin: key, format: 'map result file' });
}

/** JSON text embedded in a result file (a batch's input or output), checked against its shape. */
function embedded<T extends z.ZodMiniType>(text: string, schema: T, where: string): z.infer<T> {
  return checked(schema, parseStrictJson(text), { origin: where, format: 'batch' });
}

/**
 * Every underlying of a run from the map's result writer: the manifest at `manifestKey` lists the result
 * files; a batch that succeeded gives its results, one that failed or never ran gives each of its
 * underlyings as failed under the batch's error (or its status when there is none).
 */
export async function readMapResults(runs: Store, manifestKey: string): Promise<MapOutcome[]> {
  const { ResultFiles: files } = await read(runs, manifestKey, manifest);
  const outcomes: MapOutcome[] = [];
  for (const { Key } of [...files.SUCCEEDED, ...files.FAILED, ...files.PENDING]) {
    const batches = await read(runs, Key, z.array(execution));
    batches.forEach((batch, i) => {
      const where = `${Key}[${i}]`;
      if (batch.Status === 'SUCCEEDED') {
        outcomes.push(...embedded(batch.Output ?? 'null', batchOutput, `${where}.Output`));
        return;
      }
      const error = batch.Error ?? batch.Status;
      for (const { symbol } of embedded(batch.Input, batchInput, `${where}.Input`).Items) {
        outcomes.push({ symbol, status: 'failed', error });
      }
    });
  }
  return outcomes;
}
