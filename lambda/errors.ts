/**
 * Control characters (C0, DEL, C1), format characters (zero-width spaces and joiners, bidirectional overrides,
 * the byte-order mark) and the Unicode line and paragraph separators. Any of them in a file path, an argument,
 * an upstream status text or an API's error message would reach a terminal or a log raw: an ANSI escape
 * recolours it, a newline spoofs a second "failed:" line, a zero-width space hides the very character a
 * message is about, a right-to-left override reorders what is read.
 */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text from outside (a path, an argument, an upstream answer) made safe to print on one line: each character
 * above becomes a visible escape (`\n`, `\u001b`, `\u200b`), so the message stays one line and keeps its
 * evidence.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.codePointAt(0)!;
    return (
      ESCAPES[c] ?? (code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`)
    );
  });
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
