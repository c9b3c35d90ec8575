// An async iterator read ahead of its consumer, up to a few items: the export reader keeps the
// next archive member inflating while the current one is consumed, so that two gunzip streams run
// at once (each on its own libuv thread) instead of one after the other.

export class ReadAhead<T> {
  private readonly items: T[] = [];
  private failure: { error: unknown } | null = null;
  private ended = false;
  private closed = false;
  private pulling: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  /** Starts reading at once, until `limit` items wait. */
  constructor(
    private readonly source: AsyncIterator<T>,
    private readonly limit: number,
  ) {
    this.pull();
  }

  private pull(): void {
    if (this.pulling !== null || this.ended || this.closed || this.failure !== null || this.items.length >= this.limit) return;
    this.pulling = this.source.next().then(
      (result) => {
        this.pulling = null;
        if (this.closed) return;
        if (result.done === true) this.ended = true;
        else this.items.push(result.value);
        this.wake?.();
        this.pull();
      },
      (error: unknown) => {
        this.pulling = null;
        // Kept until the consumer gets this far: an error in the next member waits its turn.
        this.failure = { error };
        this.wake?.();
      },
    );
  }

  /** The next item in order; throws the source's error once the items before it are taken. */
  async next(): Promise<IteratorResult<T, undefined>> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        this.pull();
        return { value: item, done: false };
      }
      if (this.failure !== null) throw this.failure.error;
      if (this.ended || this.closed) return { value: undefined, done: true };
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }

  /** Stops reading and lets the source clean up (its `return`), after any read in progress. */
  async close(): Promise<void> {
    this.closed = true;
    this.items.length = 0;
    await this.pulling;
    await this.source.return?.();
  }
}
