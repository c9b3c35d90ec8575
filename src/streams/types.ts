// What a stream declares and yields. A stream file is all a newcomer needs to read to change one
// stream; the sync loop (src/sync.ts) does the Singer work around it.
import type { AmplitudeClient } from '../amplitude/client.js';
import type { Config } from '../config.js';
import type { StreamDescriptor } from '../singer/catalog.js';
import type { Bookmark } from '../singer/state.js';
import type { RunShared, StreamLog } from './context.js';

/**
 * Yielded by a stream: a record object (the sync loop selects its fields), records already
 * serialised with the selection applied (a batch, for streams where per-record overhead matters),
 * a new bookmark (written as STATE once everything yielded before it is written), or word that
 * the stream's records will not be the whole table (a part failed and was reported elsewhere), so
 * the run must not present them as a complete copy.
 */
export type StreamItem =
  | { record: Record<string, unknown> }
  | { recordsJson: string[] }
  /** Whole RECORD lines already framed for this stream (singer/writer.ts `recordLine`), newline-terminated. */
  | { recordLines: Uint8Array; count: number; /** Called once the lines are written out: their buffer may then be reused. */ written?: () => void }
  | { bookmark: Bookmark; /** What the progress line names as reached (default: the bookmark's values). */ label?: string; progress?: WindowProgress }
  | { incomplete: string };

/** What the progress line says about the window a bookmark completes. */
export interface WindowProgress {
  /** The window's last hour or day, as the stream names it. */
  position: string;
  /** 1-based window number and the planned total (for `window i/N` and the ETA). */
  index?: number;
  total?: number;
  /** Bytes downloaded for the window. */
  bytes?: number;
}

export interface StreamContext {
  /** The stream's name, as in the catalog. */
  stream: string;
  config: Config;
  client: AmplitudeClient;
  /** Lines about this stream; the stream name is put in front of each. */
  log: StreamLog;
  /** The stream's bookmark from the input state (undefined on a first or full-table sync). */
  bookmark: Bookmark | undefined;
  /** Selected top-level fields. A stream yielding `recordsJson` must apply it itself. */
  fields: ReadonlySet<string>;
  signal: AbortSignal;
  /** Directory for temporary files; removed at the end of the run, on failure and on SIGTERM. */
  tempDir: string;
  /** The streams this run syncs (a stream may start requests another selected stream will need). */
  selected?: ReadonlySet<string>;
  /** Values shared by the streams of one run (e.g. a chart body read once for two streams). */
  shared: RunShared;
  /** True for `--test`: at most one record per stream and no STATE (a stream may skip costly work). */
  testRun?: boolean;
  /** The current time; tests and the simulator agree on it through the real clock. */
  now: () => Date;
}

export interface StreamDefinition extends StreamDescriptor {
  /** One line saying what is wrong with an input bookmark, or undefined when it is usable. */
  checkBookmark?(bookmark: Bookmark, config: Config, now: Date): string | undefined;
  sync(ctx: StreamContext): AsyncIterable<StreamItem>;
}
