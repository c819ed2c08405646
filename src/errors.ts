/**
 * An error the user caused or can fix (bad flag, missing file, not a capture). The CLI turns it into one
 * line on stderr and exit status 2; anything else is a bug and still never prints a stack trace.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(message: string) {
    super(message);
  }
}
