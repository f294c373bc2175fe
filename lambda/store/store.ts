export interface PutOptions {
  contentType: string;
  /** Cache-Control for readers behind the CDN; a local folder ignores it. */
  cacheControl: string;
}

/** Where reports are published: a local folder for the CLI, the S3 bucket in AWS. Keys use `/`. */
export interface Store {
  /** Writes a whole object; a reader never sees it half-written. */
  put(key: string, body: string, options: PutOptions): Promise<void>;
  /** The object's text, or null when there is none. */
  get(key: string): Promise<string | null>;
  /** Every key under a prefix, in no particular order. */
  list(prefix: string): Promise<string[]>;
}
