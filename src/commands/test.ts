// --test, as Singer SDK taps take it: `--test` / `--test=all` syncs at most one record per selected
// stream (no STATE) and fails naming the streams that failed; `--test=schema` writes only the
// SCHEMA messages; `--test=connection` is the one-request credentials check (check.ts).
import { plural } from '../format.js';
import type { SingerWriter } from '../singer/writer.js';
import { streamsFor } from '../streams/registry.js';
import { writeSchema } from '../sync.js';
import { selectStreams, syncCommand, type SyncArgs } from './sync.js';

/** --test=schema: the SCHEMA message of every selected stream, nothing requested from Amplitude. */
export function writeSchemas(args: Pick<SyncArgs, 'config' | 'catalogPath' | 'log'>, writer: SingerWriter): void {
  const streams = streamsFor(args.config);
  for (const sel of selectStreams(args)) {
    const def = streams.find((s) => s.name === sel.name);
    if (def) writeSchema(writer, def, sel);
  }
}

/** --test / --test=all: true when every selected stream gave a record or ended with none to give. */
export async function testStreams(args: SyncArgs): Promise<boolean> {
  const { failedStreams, counts } = await syncCommand({ ...args, maxRecordsPerStream: 1 });
  const ran = Object.entries(counts).map(([name, n]) => `${name} ${n > 0 ? plural(n, 'record') : 'none to read'}`);
  if (failedStreams.length > 0) {
    const total = failedStreams.length + ran.length;
    args.log.critical(`test: ${failedStreams.length} of ${plural(total, 'stream')} failed: ${failedStreams.join(', ')} (see the ERROR lines above)`);
    return false;
  }
  args.log.info(`test: every selected stream works: ${ran.join(', ') || 'none selected'}`);
  return true;
}
