// The one error hierarchy, named by what an error does to the run (docs/architecture.md, "Errors").
// Every error the tap throws on purpose is a TapFailure whose message is the one line the user
// sees; src/failures.ts turns its `consequence` into a log line and an exit code.

/**
 * - `bad-input`: the user's config, catalog, state or flags are wrong; nothing is synced, exit 2.
 * - `run`: the run cannot go on (credentials rejected, host unreachable, stdout gone, aborted); exit 1 at once.
 * - `stream`: this stream cannot go on; the other streams still run, then exit 1.
 * - `retry`: a later attempt may succeed; the retry loop tries again (escaping it, it fails the stream).
 */
export type Consequence = 'bad-input' | 'run' | 'stream' | 'retry';

/** The base: a one-line message saying what is wrong and how to fix it, and what it does to the run. */
export abstract class TapFailure extends Error {
  abstract readonly consequence: Consequence;
}

/** Bad input from the user: config, state, catalog or flags. Exit 2, one line per problem. */
export class BadInput extends TapFailure {
  override name = 'BadInput';
  readonly consequence: Consequence = 'bad-input';
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

/** The run cannot go on: every later stream would fail the same way. Exit 1 at once. */
export class RunFailure extends TapFailure {
  override name = 'RunFailure';
  readonly consequence: Consequence = 'run';
}

/** This stream cannot go on; the others still run and the run then exits 1. */
export class StreamFailure extends TapFailure {
  override name = 'StreamFailure';
  readonly consequence: Consequence = 'stream';
}

/** A failure that a later attempt may not hit; only the retry loop acts on it. */
export class Retryable extends TapFailure {
  override name = 'Retryable';
  readonly consequence: Consequence = 'retry';
}

/** The message of anything thrown (an Error's message, else its text). */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export const EXIT_OK = 0;
export const EXIT_RUNTIME = 1;
export const EXIT_USAGE = 2;
