// How a failure is told to the user, and which failures stop the whole run rather than one stream.
import { AmplitudeHttpError, AmplitudeNetworkError, RetriesExhaustedError } from './amplitude/errors.js';
import { TapError, UsageError } from './errors.js';
import { OutputClosedError } from './singer/writer.js';

/** Errors whose message is already a complete, user-facing sentence. */
function isKnown(err: unknown): err is Error {
  return (
    err instanceof TapError ||
    err instanceof UsageError ||
    err instanceof AmplitudeHttpError ||
    err instanceof AmplitudeNetworkError ||
    err instanceof RetriesExhaustedError ||
    err instanceof OutputClosedError
  );
}

export function describeError(err: unknown): string {
  if (isKnown(err)) return err.message;
  if (err instanceof Error) return `unexpected error: ${err.message}`;
  return `unexpected error: ${String(err)}`;
}

/** A stack trace only for errors we did not anticipate (and only at debug level). */
export function debugDetail(err: unknown): string | undefined {
  return !isKnown(err) && err instanceof Error && err.stack ? err.stack : undefined;
}

/** A 403 whose text says the API key itself was rejected (not a missing add-on or a foreign chart). */
export function isCredentialsRejection(err: unknown): boolean {
  return err instanceof AmplitudeHttpError && err.status === 403 && /invalid api/i.test(`${err.amplitudeMessage ?? ''} ${err.details ?? ''}`);
}

/**
 * Stops the run instead of only the stream: an abort (SIGTERM, closed stdout), credentials that
 * Amplitude rejected outright, or a host that cannot be reached at all — every later stream would
 * fail the same way.
 */
export function isFatal(err: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted || err instanceof OutputClosedError || err instanceof UsageError) return true;
  if (isCredentialsRejection(err)) return true;
  if (err instanceof RetriesExhaustedError) return err.lastError instanceof AmplitudeNetworkError;
  return false;
}
