// Errors that decide the exit code. Anything else that escapes is a runtime failure (exit 1).

/** Bad input from the user: config, state, catalog or flags. Exit 2, one line per problem. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

/** A failure the user can act on, reported as one line without a stack trace. Exit 1. */
export class TapError extends Error {
  override name = 'TapError';
}

export const EXIT_OK = 0;
export const EXIT_RUNTIME = 1;
export const EXIT_USAGE = 2;
