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
  /**
   * The keys directly in a folder (`SPX/` or `` for the top), not in its sub-folders, in no particular order:
   * one listing per underlying, whatever the size of the archive.
   */
  list(folder: string): Promise<string[]>;
  /** The top-level folders (one per underlying), without their `/`, in no particular order. */
  folders(): Promise<string[]>;
}
