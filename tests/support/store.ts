import type { Store } from '../../lambda/store/store';

/** Every key of a store: its top level and each underlying's folder, sorted (stores list one level at a time). */
export async function allKeys(store: Store): Promise<string[]> {
  const folders = await store.folders();
  const nested = await Promise.all(folders.map((f) => store.list(`${f}/`)));
  return [...(await store.list('')), ...nested.flat()].sort();
}
