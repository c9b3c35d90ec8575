// How a failure is told to the user and what it does to the run: a lookup on TapFailure's
// consequence (src/errors.ts). Anything else is a bug of ours, told as "unexpected error".
import { AmplitudeHttpError } from './amplitude/errors.js';
import { EXIT_RUNTIME, EXIT_USAGE, TapFailure, type Consequence } from './errors.js';

/** What the error does to the run; `unexpected` for anything outside the hierarchy. */
export function consequenceOf(err: unknown): Consequence | 'unexpected' {
  return err instanceof TapFailure ? err.consequence : 'unexpected';
}

export function describeError(err: unknown): string {
  if (err instanceof TapFailure) return err.message;
  if (err instanceof Error) return `unexpected error: ${err.message}`;
  return `unexpected error: ${String(err)}`;
}

/** A stack trace only for errors we did not anticipate (and only at debug level). */
export function debugDetail(err: unknown): string | undefined {
  return !(err instanceof TapFailure) && err instanceof Error && err.stack ? err.stack : undefined;
}

/** The exit code of a run that ended with this error: 2 for bad input, else 1. */
export function exitCodeOf(err: unknown): number {
  return consequenceOf(err) === 'bad-input' ? EXIT_USAGE : EXIT_RUNTIME;
}

/** A 403 whose text says the API key itself was rejected (not a missing add-on or a foreign chart). */
export function isCredentialsRejection(err: unknown): boolean {
  return err instanceof AmplitudeHttpError && err.credentialsRejected;
}

/**
 * Stops the run instead of only the stream: bad input, a run failure (credentials rejected, host
 * unreachable, stdout closed), or an abort (SIGTERM) whatever was thrown on its way out.
 */
export function isFatal(err: unknown, signal?: AbortSignal): boolean {
  const consequence = consequenceOf(err);
  return signal?.aborted === true || consequence === 'run' || consequence === 'bad-input';
}
