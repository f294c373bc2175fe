import { createHash, randomUUID } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { printable } from '../errors';
import type { Listed, PutOptions, Store } from './store';

/**
 * A system error's code and description without the call and path it names (`EROFS: read-only file
 * system`): the path is a temporary file's, and the message names the folder and key instead.
 */
function reasonOf(cause: unknown): string {
  const { message, syscall } = cause as NodeJS.ErrnoException;
  if (typeof message !== 'string') return String(cause);
  const cut = syscall === undefined ? -1 : message.lastIndexOf(`, ${syscall}`);
  return cut < 0 ? message : message.slice(0, cut);
}

/** A refused write, read or folder, naming the folder and the key plainly (one line, whatever the path holds). */
export class StoreError extends Error {
  /** The system error's code (`EROFS`, `ENOSPC`, `ENOTDIR`), when there is one. */
  readonly code?: string;

  constructor(root: string, what: string, cause: unknown) {
    super(printable(`cannot ${what} in the folder ${root}: ${reasonOf(cause)}`), { cause });
    this.name = 'StoreError';
    this.code = (cause as NodeJS.ErrnoException).code;
  }
}

/**
 * Creates a folder and its missing parents one level at a time. Node's recursive mkdir spins forever on a
 * path under /proc (the kernel answers ENOENT for a folder whose parent exists); this fails at once there.
 */
async function makeFolder(path: string): Promise<void> {
  try {
    await mkdir(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    const parent = dirname(path);
    if (code !== 'ENOENT' || parent === path) throw e;
    await makeFolder(parent);
    try {
      await mkdir(path);
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code !== 'EEXIST') throw again;
    }
  }
}

/**
 * A folder as a store. Writes go to a temporary file renamed into place, so a crash leaves the old file whole;
 * a failed write removes its temporary file.
 */
export class FsStore implements Store {
  constructor(readonly root: string) {}

  private path(key: string): string {
    if (key.split('/').some((part) => part === '..' || part === ''))
      throw new Error(`invalid store key "${key}"`);
    return join(this.root, ...key.split('/'));
  }

  /**
   * Fails at once, naming the folder, when it cannot be created or written (read-only, full, not a folder,
   * under /proc): the CLI calls it before a run rather than analyse every chain for nothing.
   */
  async checkWritable(): Promise<void> {
    const probe = join(this.root, `.write-check.${randomUUID()}.tmp`);
    try {
      await makeFolder(this.root);
      await writeFile(probe, '');
    } catch (e) {
      throw new StoreError(this.root, 'write', e);
    } finally {
      await rm(probe, { force: true }).catch(() => undefined);
    }
  }

  /** A file's extension says its type locally, and there is no cache: the options are not stored. */
  async put(key: string, body: string, _options: PutOptions): Promise<void> {
    const path = this.path(key);
    // Unique per write: two processes (even with the same pid, in two containers) never share a temporary file.
    const temporary = `${path}.${randomUUID()}.tmp`;
    try {
      await makeFolder(dirname(path));
      await writeFile(temporary, body, 'utf8');
      await rename(temporary, path);
    } catch (e) {
      await rm(temporary, { force: true }).catch(() => undefined);
      throw new StoreError(this.root, `write ${key}`, e);
    }
  }

  async get(key: string): Promise<string | null> {
    try {
      return await readFile(this.path(key), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new StoreError(this.root, `read ${key}`, e);
    }
  }

  async list(folder: string): Promise<string[]> {
    return (await this.entries(folder))
      .filter((d) => d.isFile() && !d.name.endsWith('.tmp'))
      .map((d) => `${folder}${d.name}`);
  }

  /** A file's digest is read only when asked for: a folder's dated files are never read for it. */
  async listed(folder: string): Promise<Listed[]> {
    return (await this.list(folder)).map((key) => ({
      key,
      md5: async () => {
        const text = await this.get(key);
        return text === null ? null : createHash('md5').update(text, 'utf8').digest('hex');
      },
    }));
  }

  async folders(): Promise<string[]> {
    return (await this.entries('')).filter((d) => d.isDirectory()).map((d) => d.name);
  }

  /** One folder's entries (none when it does not exist yet). */
  private async entries(folder: string): Promise<Dirent[]> {
    try {
      return await readdir(folder === '' ? this.root : this.path(folder.replace(/\/$/, '')), {
        withFileTypes: true,
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StoreError(this.root, `list ${folder || 'the folder'}`, e);
    }
  }
}
