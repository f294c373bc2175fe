export interface PutOptions {
  contentType: string;
  /** Cache-Control for readers behind the CDN; a local folder ignores it. */
  cacheControl: string;
}

/** An object found by a listing: its key, and the MD5 of its bytes (hex) as cheaply as the store can tell. */
export interface Listed {
  key: string;
  /** Null when the store cannot tell without reading more than it is worth (an S3 multipart or KMS ETag). */
  md5(): Promise<string | null>;
}

/** Where reports are published: a local folder for the CLI, the S3 bucket in AWS. Keys use `/`. */
export interface Store {
  /** Writes a whole object; a reader never sees it half-written. */
  put(key: string, body: string, options: PutOptions): Promise<void>;
  /** The object's text, or null when there is none. */
  get(key: string): Promise<string | null>;
  /**
   * The keys directly in a folder (`SPX/` or `` for the top), not in its sub-folders, in no particular order:
   * one listing per underlying, whatever the size of the archive.
   */
  list(folder: string): Promise<string[]>;
  /**
   * The same keys with their digests: from the same one listing in S3 (each key's ETag), by reading the one
   * file asked for in a folder. A write of unchanged bytes can then be left out.
   */
  listed(folder: string): Promise<Listed[]>;
  /** The top-level folders (one per underlying), without their `/`, in no particular order. */
  folders(): Promise<string[]>;
}
