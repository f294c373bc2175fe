import type { UnderlyingResult } from '../../lambda/handlers/underlying';
import type { Store } from '../../lambda/store/store';

/** One batch of a run as the test has it end: its symbols, and its results or the error that failed it. */
export type Batch = { symbols: string[] } & ({ output: UnderlyingResult[] } | { error: string });

const JSON_PUT = { contentType: 'application/json', cacheControl: 'no-store' };

/**
 * Writes a run's batches in the layout Step Functions' result writer leaves (Transformation NONE, JSON):
 * `<prefix>/<map run id>/manifest.json` listing SUCCEEDED_0.json and FAILED_0.json, each an array of child
 * executions whose Input and Output are JSON text, a failed one with its Error and Cause. Returns the
 * manifest's key, as the map's output hands it on.
 */
export async function writeMapResults(runs: Store, batches: Batch[], prefix = 'results'): Promise<string> {
  const run = `${prefix}/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9`;
  const files: Record<'SUCCEEDED' | 'FAILED' | 'PENDING', { Key: string; Size: number }[]> = {
    SUCCEEDED: [],
    FAILED: [],
    PENDING: [],
  };
  for (const status of ['SUCCEEDED', 'FAILED'] as const) {
    const executions = batches
      .filter((b) => ('output' in b ? 'SUCCEEDED' : 'FAILED') === status)
      .map((b, i) => ({
        ExecutionArn: `arn:aws:states:us-east-1:123456789012:execution:Runs/Underlyings:${status}-${i}`,
        Input: JSON.stringify({ Items: b.symbols.map((symbol) => ({ symbol })) }),
        InputDetails: { Included: true },
        Name: `${status}-${i}`,
        ...('output' in b
          ? { Output: JSON.stringify(b.output), OutputDetails: { Included: true } }
          : { Error: b.error, Cause: `${b.error}: the whole batch failed` }),
        StartDate: '2025-06-09T12:30:00.000Z',
        StateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Runs/Underlyings',
        Status: status,
        StopDate: '2025-06-09T12:30:15.000Z',
      }));
    if (executions.length === 0) continue;
    const Key = `${run}/${status}_0.json`;
    const body = JSON.stringify(executions);
    await runs.put(Key, body, JSON_PUT);
    files[status].push({ Key, Size: Buffer.byteLength(body) });
  }
  const manifest = `${run}/manifest.json`;
  await runs.put(
    manifest,
    JSON.stringify({
      DestinationBucket: 'runs',
      MapRunArn: 'arn:aws:states:us-east-1:123456789012:mapRun:Runs/Underlyings:0a1b2c3d',
      ResultFiles: files,
    }),
    JSON_PUT,
  );
  return manifest;
}
