import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/** A real S3 HTTP API on 127.0.0.1 (s3rver), with an empty bucket (and any others asked for), in a temporary folder. */
export interface LocalS3 {
  bucket: string;
  /** `http://127.0.0.1:<port>`, for S3_ENDPOINT. */
  endpoint: string;
  /** Stops the server and deletes its folder. */
  close(): Promise<void>;
}

export async function startS3(bucket = 'reports', ...others: string[]): Promise<LocalS3> {
  const directory = mkdtempSync(join(tmpdir(), 'gamma-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [bucket, ...others].map((name) => ({ name, configs: [] })),
  });
  const { port } = (await server.run()) as AddressInfo;
  return {
    bucket,
    endpoint: `http://127.0.0.1:${port}`,
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
