import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { PutOptions, Store } from './store';

/** A folder as a store. Writes go to a temporary file renamed into place, so a crash leaves the old file whole. */
export class FsStore implements Store {
  constructor(readonly root: string) {}

  private path(key: string): string {
    if (key.split('/').some((part) => part === '..' || part === ''))
      throw new Error(`invalid store key "${key}"`);
    return join(this.root, ...key.split('/'));
  }

  /** A file's extension says its type locally, and there is no cache: the options are not stored. */
  async put(key: string, body: string, _options: PutOptions): Promise<void> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, body, 'utf8');
    await rename(temporary, path);
  }

  async get(key: string): Promise<string | null> {
    try {
      return await readFile(this.path(key), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async list(prefix: string): Promise<string[]> {
    let entries: string[];
    try {
      entries = (await readdir(this.root, { recursive: true, withFileTypes: true }))
        .filter((d) => d.isFile() && !d.name.endsWith('.tmp'))
        .map((d) => relative(this.root, join(d.parentPath, d.name)).split(sep).join('/'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return entries.filter((k) => k.startsWith(prefix));
  }
}
