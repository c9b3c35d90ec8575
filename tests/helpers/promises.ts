// Small helpers for tests that look at promises.

/** The error a promise rejects with; fails the test when it resolves. */
export async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

/** One turn of the event loop (pending I/O callbacks run). */
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Whether `promise` has settled once pending I/O callbacks have run. */
export async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await tick();
  return done;
}
