/**
 * The characters of a text that a terminal or a log line would act on rather than show: C0 controls, DEL, C1
 * controls, and the Unicode line and paragraph separators. Written out here, apart from the product's own
 * escaping, so that a test can check a message is one printable line.
 */
export function controlCharacters(text: string): string[] {
  return [...text]
    .filter((c) => {
      const code = c.codePointAt(0)!;
      return code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
    })
    .map((c) => `U+${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}
