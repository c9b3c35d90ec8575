// Download ahead, hand over in order: up to `maxInFlight` windows are fetched at once (later
// windows download while earlier ones are read and written), and the consumer receives each
// window's result strictly in plan order. A window answered "too big" is replaced in place by its
// parts. The files of fetched-but-unread windows are bounded by `diskLimitBytes`: a window ahead
// of the head starts only while its estimate fits, and one that grows past the limit is stopped,
// its file removed, and fetched again once the windows before it are read. The head (the next
// window to hand over) always proceeds, so one window larger than the limit still goes through.

/** What fetching one window gave: parts to fetch instead, or a result holding `bytes` of disk. */
export type Fetched<W, R> = { split: W[] } | { result: R; bytes: number };

export interface FetchJob<W> {
  window: W;
  /** Aborted when the prefetcher closes (the consumer stopped or failed). */
  signal: AbortSignal;
  /** Report the bytes written so far; throws TempDiskFull when a window ahead must wait. */
  onBytes(bytes: number): void;
}

/** Thrown by `onBytes` for a window ahead whose download would go over the disk limit. */
export class TempDiskFull extends Error {
  override name = 'TempDiskFull';
}

export interface PrefetchOptions<W, R> {
  maxInFlight: number;
  /** Windows past the head that may be started (fetched or fetching). */
  maxAhead: number;
  diskLimitBytes: number;
  /** Hours (or any size unit) of a window, for the disk estimate of windows not fetched yet. */
  sizeOf(window: W): number;
  /** Fetches one window; must remove its own partial file when it throws. */
  fetch(job: FetchJob<W>): Promise<Fetched<W, R>>;
  /** Frees what a handed-over (or abandoned) result holds on disk. */
  release(result: R): Promise<void>;
  /** Told when a window ahead stopped to stay under the disk limit. */
  onDiskWait?(window: W): void;
  /**
   * Start windows ahead only once one window was fetched: when every request fails, the head
   * alone uses up its retries (and, for dashboard queries, the cost budget) before the stream fails.
   */
  probeFirst?: boolean;
}

interface Node<W, R> {
  window: W;
  state: 'waiting' | 'running' | 'done';
  /** Stopped once for the disk limit: starts again only as the head. */
  deferred: boolean;
  /** Being stopped for the disk limit (its fetch is aborted). */
  evicted: boolean;
  stop: AbortController;
  bytes: number;
  settled?: Promise<void>;
  outcome?: { ok: true; value: { result: R; bytes: number } } | { ok: true; value: { split: W[] } } | { ok: false; error: unknown };
}

export interface Handed<W, R> {
  window: W;
  result: R;
  /** 1-based position among the windows handed over, and the planned total as known now. */
  index: number;
  total: number;
}

/** Windows' results in plan order (parts in place of a split window), each released after the consumer is done with it. */
export async function* fetchInOrder<W, R>(windows: readonly W[], opts: PrefetchOptions<W, R>): AsyncGenerator<Handed<W, R>> {
  const nodeOf = (window: W): Node<W, R> => ({ window, state: 'waiting', deferred: false, evicted: false, stop: new AbortController(), bytes: 0 });
  const queue: Node<W, R>[] = windows.map(nodeOf);
  const closing = new AbortController();
  let running = 0;
  let handed = 0;
  let bytesPerUnit = 0;
  let fetchedOne = false;

  const used = (): number => queue.reduce((sum, n) => sum + n.bytes, 0);
  const fits = (node: Node<W, R>): boolean => !node.deferred && used() + bytesPerUnit * opts.sizeOf(node.window) <= opts.diskLimitBytes;

  // Over the limit: the download furthest ahead stops (its bytes are about to be removed), then the
  // next furthest, until the rest fits; the head never stops.
  const makeRoom = (reporter: Node<W, R>): void => {
    for (let i = queue.length - 1; i > 0 && used() > opts.diskLimitBytes; i--) {
      const node = queue[i] as Node<W, R>;
      if (node.state !== 'running' || node.evicted) continue;
      node.evicted = true;
      node.bytes = 0;
      if (node === reporter) throw new TempDiskFull();
      node.stop.abort();
    }
  };

  const start = (node: Node<W, R>): void => {
    node.state = 'running';
    node.evicted = false;
    node.stop = new AbortController();
    running++;
    node.settled = opts
      .fetch({
        window: node.window,
        signal: AbortSignal.any([closing.signal, node.stop.signal]),
        onBytes: (bytes) => {
          if (node.evicted) throw new TempDiskFull();
          node.bytes = bytes;
          makeRoom(node);
        },
      })
      .then(
        (value) => {
          fetchedOne = true;
          if ('split' in value) {
            node.bytes = 0;
            node.outcome = { ok: true, value };
            // The parts take the window's place at once, so they can start downloading.
            const at = queue.indexOf(node);
            if (at >= 0) queue.splice(at, 1, ...value.split.map(nodeOf));
          } else {
            node.bytes = value.bytes;
            node.outcome = { ok: true, value };
            bytesPerUnit = Math.max(bytesPerUnit, value.bytes / Math.max(1, opts.sizeOf(node.window)));
          }
          node.state = 'done';
        },
        (error: unknown) => {
          node.bytes = 0;
          if ((node.evicted || error instanceof TempDiskFull) && !closing.signal.aborted) {
            node.state = 'waiting';
            node.deferred = true;
            opts.onDiskWait?.(node.window);
          } else {
            node.outcome = { ok: false, error };
            node.state = 'done';
          }
        },
      )
      .finally(() => {
        running--;
        if (!closing.signal.aborted) pump();
      });
  };

  // Starts windows in plan order, never skipping one that must wait (its successors wait too).
  const pump = (): void => {
    const head = queue[0];
    if (head?.state === 'waiting') start(head);
    if (opts.probeFirst === true && !fetchedOne) return;
    for (let i = 1; i < queue.length && i <= opts.maxAhead && running < opts.maxInFlight; i++) {
      const node = queue[i] as Node<W, R>;
      if (node.state !== 'waiting') continue;
      if (!fits(node)) break;
      start(node);
    }
  };

  try {
    while (queue.length > 0) {
      pump();
      const node = queue[0] as Node<W, R>;
      while (node.state !== 'done') {
        if (node.state === 'waiting') start(node);
        await node.settled;
      }
      const outcome = node.outcome as NonNullable<Node<W, R>['outcome']>;
      if (!outcome.ok) throw outcome.error;
      if ('split' in outcome.value) continue; // its parts are in its place already
      const { result } = outcome.value;
      try {
        handed++;
        yield { window: node.window, result, index: handed, total: handed + queue.length - 1 };
      } finally {
        queue.shift();
        await opts.release(result);
      }
    }
  } finally {
    closing.abort();
    await Promise.allSettled(queue.map((n) => n.settled));
    for (const node of queue) {
      if (node.outcome?.ok === true && 'result' in node.outcome.value) await opts.release(node.outcome.value.result);
    }
  }
}
