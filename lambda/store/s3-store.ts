import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { Listed, PutOptions, Store } from './store';

/** The report bucket as a store. Each put is one PutObject: S3 never shows a half-written object. */
export class S3Store implements Store {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, body: string, options: PutOptions): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: options.contentType,
        CacheControl: options.cacheControl,
      }),
    );
  }

  async get(key: string): Promise<string | null> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return (await out.Body?.transformToString('utf-8')) ?? null;
    } catch (e) {
      if (e instanceof NoSuchKey || (e as { name?: string }).name === 'NoSuchKey') return null;
      throw e;
    }
  }

  async list(folder: string): Promise<string[]> {
    return (await this.listing(folder)).keys.map((o) => o.key);
  }

  /**
   * A single-part upload's ETag is the MD5 of its bytes (with SSE-S3 or none, as this bucket is encrypted); a
   * multipart or SSE-KMS one is not, and is read as unknown.
   */
  async listed(folder: string): Promise<Listed[]> {
    return (await this.listing(folder)).keys.map(({ key, etag }) => {
      const md5 = /^"?([0-9a-f]{32})"?$/.exec(etag ?? '')?.[1] ?? null;
      return { key, md5: () => Promise.resolve(md5) };
    });
  }

  async folders(): Promise<string[]> {
    return (await this.listing('')).folders.map((f) => f.replace(/\/$/, ''));
  }

  /** One level under a prefix: with a `/` delimiter S3 returns the sub-folders once, not their objects. */
  private async listing(
    prefix: string,
  ): Promise<{ keys: { key: string; etag?: string }[]; folders: string[] }> {
    const keys: { key: string; etag?: string }[] = [];
    const folders: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          Delimiter: '/',
          ContinuationToken: token,
        }),
      );
      for (const o of page.Contents ?? []) if (o.Key) keys.push({ key: o.Key, etag: o.ETag });
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix) folders.push(p.Prefix);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return { keys, folders };
  }
}

/**
 * An S3 client for the environment: the default chain in AWS; with S3_ENDPOINT (a local S3 such as s3rver)
 * path-style addressing and checksums only when required, without which streamed uploads are stored with
 * their chunk framing.
 */
export function s3ClientFromEnv(env: NodeJS.ProcessEnv): S3Client {
  if (!env.S3_ENDPOINT) return new S3Client({});
  return new S3Client({
    endpoint: env.S3_ENDPOINT,
    region: env.AWS_REGION ?? 'us-east-1',
    forcePathStyle: true,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'S3RVER',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'S3RVER',
    },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
