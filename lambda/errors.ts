/**
 * Control characters (C0, DEL, C1) and the Unicode line and paragraph separators. Any of them in a file
 * path, an upstream status text or an API's error message would reach a terminal or a log raw: an ANSI
 * escape recolours it, a newline spoofs a second "failed:" line.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text from outside (a path, an upstream answer) made safe to print on one line: each control character
 * becomes a visible escape (`\n`, `\u001b`), so the message stays one line and keeps its evidence.
 */
export function printable(text: string): string {
  return text.replace(
    UNPRINTABLE,
    (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Bad input the user can fix: the message names the file or URL, the field or line, and what to do.
 * The CLI prints it as one line, without a stack trace; whatever the message quotes from the input is
 * made printable here, once for every reader.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(printable(message));
    this.name = 'InputError';
  }
}
