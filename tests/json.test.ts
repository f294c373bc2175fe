import fc from 'fast-check';
import { checkDuplicateKeys, DuplicateKeyError, parseStrictJson } from '../lambda/json';

/** The error a text gives, or null: a repeated key's name and where it is. */
function repeated(text: string): { key: string; path: string } | null {
  try {
    parseStrictJson(text);
    return null;
  } catch (e) {
    if (!(e instanceof DuplicateKeyError)) throw e;
    return { key: e.key, path: e.path };
  }
}

describe('strict JSON: a key repeated in one object is refused (docs/methodology.md §3)', () => {
  it('finds a repeated key at the top, in a nested object and in an array element, naming where', () => {
    expect(repeated('{"a":1,"a":2}')).toEqual({ key: 'a', path: '' });
    expect(repeated('{"data":{"current_price":1,"options":[],"current_price":2}}')).toEqual({
      key: 'current_price',
      path: 'data',
    });
    expect(repeated('{"result":[{"x":1},{"x":1,"y":2,"x":3}]}')).toEqual({ key: 'x', path: 'result[1]' });
    expect(repeated('[[1,2],[{"k":[{"z":0,"z":0}]}]]')).toEqual({ key: 'z', path: '[1][0].k[0]' });
    expect(new DuplicateKeyError('a', '').message).toBe('the key "a" appears twice in the top-level object');
  });

  it('allows the same key in different objects, and keys that differ only in case', () => {
    expect(repeated('{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}],"A":0}')).toBeNull();
  });

  it('compares keys as JSON reads them: an escape is the character it stands for', () => {
    expect(repeated('{"a":1,"\\u0061":2}')).toEqual({ key: 'a', path: '' });
    expect(repeated('{"a\\"":1,"a\\u0022":2}')).toEqual({ key: 'a"', path: '' });
    expect(repeated('{"a\\\\":1,"a\\\\\\\\":2}')).toBeNull();
  });

  it('is not fooled by braces, commas, colons or quotes inside strings', () => {
    expect(repeated('{"s":"{\\"a\\":1,\\"a\\":2}","t":"a,b:c]}","u":"\\\\"}')).toBeNull();
    expect(repeated('{"s":"x\\\\","s":1}')).toEqual({ key: 's', path: '' });
  });

  it('leaves a syntax error to JSON.parse, unchanged', () => {
    expect(() => parseStrictJson('{"a":')).toThrow(SyntaxError);
  });

  it('agrees with a reading that counts keys through JSON.parse, on random documents', () => {
    // JSON.stringify never repeats a key: splice a copy of one key in to make a document that does.
    const doc = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(doc, (value) => {
        const text = JSON.stringify(value);
        expect(() => checkDuplicateKeys(text)).not.toThrow();
        const object = /\{"((?:[^"\\]|\\.)*)":/.exec(text);
        if (object === null) return;
        const at = object.index + 1;
        const twice = `${text.slice(0, at)}"${object[1]}":null,${text.slice(at)}`;
        expect(repeated(twice)?.key).toBe(JSON.parse(`"${object[1]}"`));
      }),
      { numRuns: 300 },
    );
  });
});
