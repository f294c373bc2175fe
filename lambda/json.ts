/**
 * JSON as the product reads it, everywhere: `JSON.parse` keeps the last of two equal keys in one object, so a
 * document carrying `"current_price"` twice would be read by its last value, silently (docs/methodology.md §3).
 * A key repeated in one object is refused instead, naming where it is.
 */

/** A document that parses but repeats a key in one object; `path` names the object (`data.options[3]`). */
export class DuplicateKeyError extends Error {
  constructor(
    readonly key: string,
    readonly path: string,
  ) {
    super(`the key ${JSON.stringify(key)} appears twice in ${path || 'the top-level object'}`);
    this.name = 'DuplicateKeyError';
  }
}

interface Frame {
  /** Keys seen so far (objects), or null (arrays). */
  keys: Set<string> | null;
  /** The key or index under which this container sits in its parent, for the path ('' for the top). */
  at: string | number;
  /** Index of the next element (arrays). */
  index: number;
  /** Whether the next string is a key (objects). */
  expectKey: boolean;
  /** The last key read (objects), under which a nested container sits. */
  lastKey: string;
}

function pathOf(stack: readonly Frame[]): string {
  let path = '';
  for (const { at } of stack) {
    if (typeof at === 'number') path += `[${at}]`;
    else if (at !== '') path += path === '' ? at : `.${at}`;
  }
  return path;
}

/** The index of the closing quote of the string whose opening quote is at `start`. */
function stringEnd(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  for (;;) {
    let slashes = 0;
    while (text.charCodeAt(end - 1 - slashes) === 92 /* \ */) slashes++;
    if (slashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
}

/**
 * Throws DuplicateKeyError for the first key repeated within one object of a text that is valid JSON (call it
 * after JSON.parse succeeded: the scan relies on that). Keys compare as JSON.parse reads them (`"a"` and
 * `"\u0061"` are one key). One pass over the characters, a set of keys per object.
 */
export function checkDuplicateKeys(text: string): void {
  const stack: Frame[] = [];
  let top: Frame | undefined;
  for (let i = 0, n = text.length; i < n; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 34 /* " */) {
      const end = stringEnd(text, i);
      if (top !== undefined && top.keys !== null && top.expectKey) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        if (top.keys.has(key)) throw new DuplicateKeyError(key, pathOf(stack));
        top.keys.add(key);
        top.lastKey = key;
        top.expectKey = false;
      }
      i = end;
    } else if (ch === 123 /* { */ || ch === 91 /* [ */) {
      const at = top === undefined ? '' : top.keys === null ? top.index : top.lastKey;
      const object = ch === 123;
      top = { keys: object ? new Set() : null, at, index: 0, expectKey: object, lastKey: '' };
      stack.push(top);
    } else if (ch === 125 /* } */ || ch === 93 /* ] */) {
      stack.pop();
      top = stack[stack.length - 1];
    } else if (ch === 44 /* , */ && top !== undefined) {
      if (top.keys === null) top.index += 1;
      else top.expectKey = true;
    }
  }
}

/** JSON.parse, refusing a key repeated in one object (DuplicateKeyError); a syntax error is JSON.parse's own. */
export function parseStrictJson(text: string): unknown {
  const doc: unknown = JSON.parse(text);
  checkDuplicateKeys(text);
  return doc;
}
