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

/**
 * Stops the run instead of only the stream: an abort (SIGTERM, closed stdout), credentials that
 * Amplitude rejected outright, or a host that cannot be reached at all — every later stream would
 * fail the same way.
 */
export function isFatal(err: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted || err instanceof OutputClosedError || err instanceof UsageError) return true;
  if (err instanceof AmplitudeHttpError) return err.status === 403 && /invalid api/i.test(`${err.amplitudeMessage ?? ''} ${err.details ?? ''}`);
  if (err instanceof RetriesExhaustedError) return err.lastError instanceof AmplitudeNetworkError;
  return false;
}
