/**
 * Bad input the user can fix: the message names the file or URL, the field or line, and what to do.
 * The CLI prints it as one line, without a stack trace.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
